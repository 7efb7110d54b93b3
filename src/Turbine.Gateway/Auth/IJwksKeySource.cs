using Microsoft.IdentityModel.Tokens;

namespace Turbine.Gateway.Auth;

/// <summary>Where the signing keys of JWTs come from (a JWKS file read at config load, or a URL refreshed in the background).</summary>
internal interface IJwksKeySource
{
    /// <summary>The current keys; empty when none could be loaded yet.</summary>
    ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(CancellationToken cancellationToken);

    /// <summary>A token named a key we do not have: fetch again if the source can and has not just done so.</summary>
    ValueTask<bool> TryRefreshForUnknownKeyAsync(CancellationToken cancellationToken);

    /// <summary>Why no keys are available (the last fetch error), for the answer; null if keys are available.</summary>
    string? LastError { get; }
}
