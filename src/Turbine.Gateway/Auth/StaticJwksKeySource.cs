using Microsoft.IdentityModel.Tokens;

namespace Turbine.Gateway.Auth;

/// <summary>Keys read from a JWKS file when the config was loaded (a config reload reads the file again).</summary>
internal sealed class StaticJwksKeySource(IReadOnlyList<SecurityKey> keys) : IJwksKeySource
{
    public string? LastError => keys.Count == 0 ? "the JWKS file has no signing keys" : null;

    public ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken cancellationToken) => ValueTask.FromResult(keys);

    public ValueTask<bool> TryRefreshForUnknownKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
