using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>An <see cref="IGatewayConfigSource"/> the test swaps by hand (what a hot reload does).</summary>
public sealed class MutableConfigSource(GatewayConfig initial) : IGatewayConfigSource
{
    private volatile GatewayConfig _current = initial;

    public GatewayConfig Current => _current;

    public event Action<GatewayConfig>? Changed;

    public void Set(GatewayConfig config)
    {
        _current = config;
        Changed?.Invoke(config);
    }
}
