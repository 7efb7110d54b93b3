using System.Security.Cryptography;
using System.Text;

namespace Turbine.Gateway.Auth;

/// <summary>
/// The stored form of an API key: <c>sha256:&lt;64 lowercase hex digits&gt;</c> of the key's UTF-8 bytes, the same
/// as <c>printf %s KEY | sha256sum</c>. The gateway never stores or logs the key itself.
/// </summary>
public static class ApiKeyHasher
{
    /// <summary>Prefix of every stored hash.</summary>
    public const string Prefix = "sha256:";

    /// <summary>The stored form of <paramref name="key"/>.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>True for <c>sha256:</c> followed by 64 hex digits (either case).</summary>
    public static bool IsWellFormed(string? hash) =>
        hash is not null
        && hash.Length == Prefix.Length + 64
        && hash.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
        && hash.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdefABCDEF") is false;

    /// <summary>The 32 digest bytes of a well-formed stored hash.</summary>
    internal static byte[] DigestOf(string hash) => Convert.FromHexString(hash.AsSpan(Prefix.Length));

    /// <summary>The 32 digest bytes of a presented key.</summary>
    internal static byte[] DigestOfKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
