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

    /// <summary>Writes the 32 digest bytes of a presented key into <paramref name="digest"/> without allocating (keys up to 1 KiB on the stack, longer ones pooled).</summary>
    internal static void DigestOfKey(ReadOnlySpan<char> key, Span<byte> digest)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        var utf8 = max <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        var n = 0;
        try
        {
            n = Encoding.UTF8.GetBytes(key, utf8);
            SHA256.HashData(utf8[..n], digest);
        }
        finally
        {
            utf8[..n].Clear();
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true); // a credential: leave no copy in the pool
            }
        }
    }
}
