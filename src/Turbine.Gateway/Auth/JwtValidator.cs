using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
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

        var rejected = new StrongBox<string?>();
        var result = await Handler.ValidateTokenAsync(token, Parameters(keys, rejected)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException
            && await _keys.TryRefreshForUnknownKeyAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await Handler.ValidateTokenAsync(token, Parameters(await _keys.GetKeysAsync(cancellationToken).ConfigureAwait(false), rejected)).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return AuthOutcome.Unauthenticated(rejected.Value is { } algorithm && result.Exception is SecurityTokenInvalidSignatureException
                ? AlgorithmRefused(algorithm)
                : Describe(result.Exception, token));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var payload = Payload(jwt);
        var subject = payload.TryGetProperty(_config.SubjectClaim, out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString() : null;
        if (string.IsNullOrEmpty(subject))
        {
            return AuthOutcome.Unauthenticated($"token has no '{_config.SubjectClaim}' claim naming the caller");
        }

        var roles = Values(payload, _config.RolesClaim).ToArray();
        var operationNames = Values(payload, _config.OperationsClaim).ToArray();
        var operations = operationNames.Length == 0
            ? AccessRules.DefaultOperations
            : AccessRules.ParseOperations(operationNames);
        var grant = new CallerGrant(
            subject,
            [.. Values(payload, _config.ModelsClaim)],
            operations,
            roles,
            roles.Contains(_adminRole, StringComparer.Ordinal))
        {
            Identity = "jwt:" + jwt.Issuer + "|" + subject,
        };
        return AuthOutcome.Allow(grant);
    }

    private string AlgorithmRefused(string algorithm) =>
        $"token algorithm '{algorithm}' is not accepted for its signing key (accepted: {string.Join(", ", _config.Algorithms)}; a key whose JWK names an alg accepts only that one)";

    private TokenValidationParameters Parameters(IReadOnlyList<SecurityKey> keys, StrongBox<string?> rejected) => new()
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

        // A token naming a kid is checked with that key only (an unknown kid is refused, not tried on every key);
        // a token without one is tried on all keys.
        TryAllIssuerSigningKeys = false,
        IssuerSigningKeyResolver = (_, _, kid, _) => string.IsNullOrEmpty(kid) ? keys : keys.Where(k => k.KeyId == kid),
        AlgorithmValidator = (algorithm, key, _, _) =>
        {
            var accepted = _config.Algorithms.Contains(algorithm, StringComparer.Ordinal) && (JwksParser.AlgorithmOf(key) ?? algorithm) == algorithm;
            rejected.Value = accepted ? null : algorithm;
            return accepted;
        },
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

    private static string AlgorithmOf(string token)
    {
        try
        {
            return Handler.ReadJsonWebToken(token).Alg;
        }
        catch (ArgumentException)
        {
            return "";
        }
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

    /// <summary>
    /// Claim values: a JSON array's strings exactly as written (<c>" admin"</c> is not <c>admin</c>); a string claim
    /// is a list separated by spaces or commas (OAuth <c>scope</c> style).
    /// </summary>
    private static IEnumerable<string> Values(JsonElement payload, string claim)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty(claim, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries),
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray(),
            _ => [],
        };
    }

    private static JsonElement Payload(JsonWebToken jwt)
    {
        using var doc = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return doc.RootElement.Clone();
    }

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
        SecurityTokenInvalidAlgorithmException => AlgorithmRefused(AlgorithmOf(token)),
        SecurityTokenInvalidSignatureException => "token signature is invalid",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        null => "invalid token",
        _ => "invalid token: " + e.GetType().Name.Replace("SecurityToken", "", StringComparison.Ordinal).Replace("Exception", "", StringComparison.Ordinal),
    };
}
