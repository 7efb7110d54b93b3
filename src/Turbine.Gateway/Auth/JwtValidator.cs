using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Auth;

/// <summary>Validates JWT bearer tokens per <see cref="JwtConfig"/> and maps their claims to a <see cref="CallerGrant"/>.</summary>
internal sealed class JwtValidator
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };
    private static readonly char[] ListSeparators = [' ', ','];

    private readonly JwtConfig _config;
    private readonly IJwksKeySource _keys;
    private readonly TimeProvider _time;
    private readonly string _adminRole;
    private readonly string[] _issuers;
    private readonly string[] _audiences;

    public JwtValidator(JwtConfig config, IJwksKeySource keys, TimeProvider time, string adminRole)
    {
        _config = config;
        _keys = keys;
        _time = time;
        _adminRole = adminRole;
        _issuers = [.. config.AllIssuers()];
        _audiences = [.. config.AllAudiences()];
    }

    /// <summary>A bearer value shaped like a compact JWS: three base64url segments separated by dots.</summary>
    public static bool LooksLikeJwt(string value)
    {
        var first = value.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : value.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || second == first + 1 || value.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ('.' or '-' or '_' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask<AuthOutcome> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var keys = await _keys.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            return AuthOutcome.Unavailable($"cannot validate tokens: no signing keys ({_keys.LastError})");
        }

        var result = await Handler.ValidateTokenAsync(token, Parameters(keys)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException
            && await _keys.TryRefreshForUnknownKeyAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await Handler.ValidateTokenAsync(token, Parameters(await _keys.GetKeysAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return AuthOutcome.Unauthenticated(Describe(result.Exception, token));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var subject = Values(jwt, _config.SubjectClaim).FirstOrDefault();
        if (string.IsNullOrEmpty(subject))
        {
            return AuthOutcome.Unauthenticated($"token has no '{_config.SubjectClaim}' claim naming the caller");
        }

        var roles = Values(jwt, _config.RolesClaim).ToArray();
        var operationNames = Values(jwt, _config.OperationsClaim).ToArray();
        var operations = operationNames.Length == 0
            ? AccessRules.DefaultOperations
            : AccessRules.ParseOperations(operationNames);
        var grant = new CallerGrant(
            subject,
            [.. Values(jwt, _config.ModelsClaim)],
            operations,
            roles,
            roles.Contains(_adminRole, StringComparer.Ordinal));
        return AuthOutcome.Allow(grant);
    }

    private TokenValidationParameters Parameters(IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidIssuers = _issuers,
        ValidAudiences = _audiences,
        IssuerSigningKeys = keys,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(_config.ClockSkewSeconds),
        LifetimeValidator = ValidateLifetime,
    };

    /// <summary>Lifetime check against the injected clock (the library's own check reads the system clock).</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("token has no expiry");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        if (notBefore is { } nbf && nbf.ToUniversalTime() > now + skew)
        {
            throw new SecurityTokenNotYetValidException("token not yet valid") { NotBefore = nbf };
        }

        if (expires.Value.ToUniversalTime() < now - skew)
        {
            throw new SecurityTokenExpiredException("token expired") { Expires = expires.Value };
        }

        return true;
    }

    private static string AudienceOf(SecurityTokenInvalidAudienceException e, string token)
    {
        if (!string.IsNullOrEmpty(e.InvalidAudience))
        {
            return e.InvalidAudience;
        }

        try
        {
            return string.Join(", ", Handler.ReadJsonWebToken(token).Audiences);
        }
        catch (ArgumentException)
        {
            return "";
        }
    }

    /// <summary>Claim values; a string claim with spaces or commas is a list (OAuth <c>scope</c> style).</summary>
    private static IEnumerable<string> Values(JsonWebToken jwt, string claim) =>
        jwt.Claims
            .Where(c => c.Type == claim)
            .SelectMany(c => c.Value.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private string Describe(Exception? e, string token) => e switch
    {
        SecurityTokenExpiredException expired =>
            $"token expired at {expired.Expires.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}",
        SecurityTokenNotYetValidException notYet =>
            $"token not valid before {notYet.NotBefore.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}",
        SecurityTokenNoExpirationException => "token has no expiry (exp claim)",
        SecurityTokenInvalidAudienceException audience =>
            $"token audience '{AudienceOf(audience, token)}' is not accepted; expected {string.Join(" or ", _audiences.Select(a => $"'{a}'"))}",
        SecurityTokenInvalidIssuerException issuer =>
            $"token issuer '{issuer.InvalidIssuer}' is not accepted; expected {string.Join(" or ", _issuers.Select(i => $"'{i}'"))}",
        SecurityTokenSignatureKeyNotFoundException => "token signature key is not among the configured signing keys",
        SecurityTokenInvalidSignatureException => "token signature is invalid",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        null => "invalid token",
        _ => "invalid token: " + e.GetType().Name.Replace("SecurityToken", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal),
    };
}
