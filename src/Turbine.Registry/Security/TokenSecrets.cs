using System.Security.Cryptography;
using System.Text;

namespace Turbine.Registry.Security;

/// <summary>API token secrets: <c>trb_</c> + 32 random bytes (base64url), stored only as their SHA-256 (hex).</summary>
internal static class TokenSecrets
{
    public const string Prefix = "trb_";

    public static string Generate() => Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
