using System.Text.Json;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.RateLimiting;

/// <summary>
/// Holds the current <see cref="RateLimitState"/>; a config change that alters the <c>rateLimits</c> section swaps
/// in new buckets (other reloads keep the buckets and their counts).
/// </summary>
internal sealed class EdgeRateLimiter : IDisposable
{
    private readonly Lock _swap = new();
    private volatile RateLimitState _state;
    private string _fingerprint;

    public EdgeRateLimiter(IGatewayConfigSource config)
    {
        var section = config.Current.RateLimits ?? new RateLimitConfig();
        _state = new RateLimitState(section);
        _fingerprint = Fingerprint(section);
        config.Changed += OnChanged;
    }

    public bool Enabled => _state.Config.IsEnabled();

    public RateLimitDecision? TryAcquire(string? callerKey, string? callerIdentity, string clientAddress, string? model)
    {
        for (var attempt = 0; ; attempt++)
        {
            var state = _state;
            try
            {
                return state.TryAcquire(callerKey, callerIdentity, clientAddress, model);
            }
            catch (ObjectDisposedException) when (attempt == 0)
            {
                // replaced by a reload between the read and the acquire: use the new buckets
            }
        }
    }

    public void Dispose() => _state.Dispose();

    private void OnChanged(GatewayConfig config)
    {
        var section = config.RateLimits ?? new RateLimitConfig();
        var fingerprint = Fingerprint(section);
        lock (_swap)
        {
            if (fingerprint == _fingerprint)
            {
                return;
            }

            var old = _state;
            _state = new RateLimitState(section);
            _fingerprint = fingerprint;
            old.Dispose();
        }
    }

    private static string Fingerprint(RateLimitConfig section) =>
        JsonSerializer.Serialize(section, RateLimitJsonContext.Default.RateLimitConfig);
}
