using System.Buffers;
using System.Security.Cryptography;

namespace Turbine.Registry.Artifacts;

/// <summary>
/// What both stores share: digest validation and the hashing copy loop (one pooled buffer, SHA-256 computed as the
/// bytes pass, the size limit checked before a byte past it is written).
/// </summary>
internal static class ArtifactDigests
{
    /// <summary>Bytes read from the source per call; one pooled buffer of this size per upload.</summary>
    internal const int CopyBufferSize = 1 << 20;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>
    /// Checks that <paramref name="sha256"/> is 64 hex characters and returns it in lowercase; anything else (which
    /// could also smuggle a path or a key into the store) is rejected with a message naming the bad value.
    /// </summary>
    public static string Normalize(string sha256, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(sha256, parameterName);
        if (sha256.Length != 64 || sha256.AsSpan().ContainsAnyExcept(HexDigits))
        {
            var shown = sha256.Length > 80 ? sha256[..80] + "…" : sha256;
            throw new ArgumentException($"{parameterName}: expected a sha256 digest of 64 hex characters, got '{shown}'", parameterName);
        }

        return sha256.ToLowerInvariant();
    }

    public static void ValidateLimit(long? maxBytes)
    {
        if (maxBytes is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "maxBytes: expected a limit of zero or more bytes");
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> through one pooled buffer, hashing the bytes
    /// on the way; throws <see cref="ArtifactTooLargeException"/> as soon as more than <paramref name="maxBytes"/>
    /// arrive (the extra bytes are not written).
    /// </summary>
    public static async Task<ArtifactBlob> CopyHashingAsync(Stream source, Stream destination, long? maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
            {
                total += read;
                if (maxBytes is { } limit && total > limit)
                {
                    throw new ArtifactTooLargeException(limit);
                }

                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            return new ArtifactBlob(Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Throws <see cref="ArtifactDigestMismatchException"/> when a digest was declared and differs.</summary>
    public static void Verify(string? expectedSha256, ArtifactBlob actual)
    {
        if (expectedSha256 is not null && !string.Equals(expectedSha256, actual.Sha256, StringComparison.Ordinal))
        {
            throw new ArtifactDigestMismatchException(expectedSha256, actual.Sha256);
        }
    }
}
