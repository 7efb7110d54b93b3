using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Turbine.Control.Api;

/// <summary>
/// Checks <c>Authorization: Bearer</c> tokens: static tokens from <see cref="ControlOptions.StaticTokens"/> (SHA-256s
/// compared in constant time), then, with <see cref="ControlOptions.RegistryUrl"/>, the registry's own scoped tokens by
/// asking its <c>GET /api/v1/auth/whoami</c> (verdicts cached briefly in a <see cref="TokenVerdictCache"/>).
/// In dev mode every caller is <see cref="ControlCaller.Dev"/>. Owns the HTTP client it asks the registry with.
/// </summary>
internal sealed class ControlAuthenticator : IDisposable
{
    private const int MaxWhoAmIBytes = 64 * 1024;
    private readonly ControlOptions _options;
    private readonly (string Name, byte[] Hash, ControlScope Scope)[] _static;
    private readonly HttpClient? _registry;
    private readonly TokenVerdictCache _cache;

    public ControlAuthenticator(ControlOptions options, HttpMessageHandler? registryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _static = options.StaticTokens.Select(t => (t.Name, Hash(t.Secret), t.Scope)).ToArray();
        _cache = new TokenVerdictCache(options.TokenCacheSize, options.TokenCacheTtl, options.TimeProvider);
        if (options.RegistryUrl is { } url)
        {
            _registry = registryHandler is null ? new HttpClient() : new HttpClient(registryHandler, disposeHandler: false);
            _registry.BaseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
            _registry.Timeout = options.RegistryTimeout;
            _registry.MaxResponseContentBufferSize = MaxWhoAmIBytes;
        }
    }

    /// <summary>Verdicts cached now (tests check the bound).</summary>
    internal int CachedVerdicts => _cache.Count;

    public async Task<AuthVerdict> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (_options.Dev)
        {
            return AuthVerdict.Ok(ControlCaller.Dev);
        }

        if (string.IsNullOrEmpty(authorization))
        {
            return AuthVerdict.Unauthenticated("no token: send 'Authorization: Bearer <token>' (a registry token, or a static token of this service)");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthVerdict.Unauthenticated("the Authorization header must be 'Bearer <token>'");
        }

        var secret = authorization["Bearer ".Length..].Trim();
        if (secret.Length is 0 or > 4096)
        {
            return AuthVerdict.Unauthenticated("the bearer token is empty or too long");
        }

        var hash = Hash(secret);
        ControlCaller? found = null;
        foreach (var (name, expected, scope) in _static)
        {
            // Every static token is compared, in constant time, so the timing says nothing about which one nearly matched.
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = new ControlCaller(name, scope, "*");
            }
        }

        if (found is not null)
        {
            return AuthVerdict.Ok(found);
        }

        if (_registry is null)
        {
            return AuthVerdict.Unauthenticated("the token is not one this service accepts");
        }

        var key = Convert.ToHexString(hash);
        if (_cache.Get(key) is { } cached)
        {
            return cached;
        }

        var verdict = await AskRegistryAsync(secret, cancellationToken).ConfigureAwait(false);
        // A registry that cannot say (down, slow, an error) is asked again next time: only real verdicts are cached.
        if (verdict.Caller is not null || verdict.Status == 401)
        {
            _cache.Set(key, verdict);
        }

        return verdict;
    }

    private async Task<AuthVerdict> AskRegistryAsync(string secret, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/auth/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        try
        {
            using var response = await _registry!.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return AuthVerdict.Unauthenticated("the token is unknown to the registry or revoked");
            }

            if (!response.IsSuccessStatusCode)
            {
                return AuthVerdict.Unavailable($"the registry answered {(int)response.StatusCode} when asked about the token");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var name = root.GetProperty("name").GetString() ?? "";
            var role = root.GetProperty("role").GetString();
            var models = root.TryGetProperty("models", out var m) ? m.GetString() ?? "*" : "*";
            return role switch
            {
                "reader" => AuthVerdict.Ok(new ControlCaller(name, ControlScope.Read, models) { FromRegistry = true }),
                "writer" or "admin" => AuthVerdict.Ok(new ControlCaller(name, ControlScope.Write, models) { FromRegistry = true }),
                _ => AuthVerdict.Unauthenticated($"the registry gave the token an unknown role '{role}'"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return AuthVerdict.Unavailable($"cannot check the token with the registry at {_registry!.BaseAddress}: {e.Message}");
        }
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public void Dispose() => _registry?.Dispose();
}
