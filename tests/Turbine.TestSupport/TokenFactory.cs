using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Turbine.TestSupport;

/// <summary>An RSA signing key with its JWKS, and signed JWTs for the tests.</summary>
public sealed class TokenFactory : IDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "turbine";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;

    public TokenFactory(string keyId = "key-1")
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = keyId };
    }

    /// <summary>The public key as a JSON Web Key Set.</summary>
    public string Jwks()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = _key.KeyId });
        return JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } },
        });
    }

    public string Create(
        string subject = "alice",
        string issuer = Issuer,
        string audience = Audience,
        DateTime? expires = null,
        DateTime? notBefore = null,
        IDictionary<string, object>? claims = null,
        string algorithm = SecurityAlgorithms.RsaSha256,
        string? keyId = null)
    {
        var now = DateTime.UtcNow;
        var all = new Dictionary<string, object> { ["sub"] = subject };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            all[name] = value;
        }

        var expiry = expires ?? now.AddHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = expiry,
            NotBefore = notBefore ?? (expiry < now ? expiry.AddHours(-1) : now.AddMinutes(-5)),
            IssuedAt = notBefore ?? (expiry < now ? expiry.AddHours(-1) : now.AddMinutes(-5)),
            Claims = all,
            SigningCredentials = new SigningCredentials(keyId is null ? _key : new RsaSecurityKey(_rsa) { KeyId = keyId }, algorithm),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public void Dispose() => _rsa.Dispose();
}
