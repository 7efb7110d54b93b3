using System.Buffers;
using System.Security.Cryptography;

namespace Turbine.Client.Registry;

/// <summary>
/// Writes a downloaded artifact to a local file only when its bytes hash to the expected SHA-256: the bytes stream
/// (one pooled buffer) into a temp file beside the target while they are hashed, and the temp file is renamed over the
/// target only after the digest matched. On a mismatch, a short read, cancellation or any error the temp file is
/// deleted and the target is left as it was.
/// </summary>
public static class ArtifactDownload
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Streams <paramref name="source"/> to <paramref name="path"/> (creating its folder), verifying the SHA-256.
    /// Returns the number of bytes written. Throws <see cref="InvalidDataException"/> when the digest differs
    /// (nothing is written), <see cref="ArgumentException"/> when <paramref name="expectedSha256"/> is not 64 hex
    /// characters.
    /// </summary>
    public static async Task<long> ToFileAsync(Stream source, string expectedSha256, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        if (expectedSha256.Length != 64 || !expectedSha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException(
                $"expectedSha256: expected a sha256 digest of 64 hex characters, got '{expectedSha256}'", nameof(expectedSha256));
        }

        var expected = expectedSha256.ToLowerInvariant();
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        Directory.CreateDirectory(directory);

        // Same folder as the target, so the final rename is atomic (same file system).
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.download");
        try
        {
            long size = 0;
            await using (var file = new FileStream(temp, new FileStreamOptions
                         {
                             Mode = FileMode.CreateNew,
                             Access = FileAccess.Write,
                             Share = FileShare.None,
                             BufferSize = 0,
                         }))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    int read;
                    while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        size += read;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    throw new InvalidDataException(
                        $"artifact digest mismatch: expected sha256 {expected}, got {actual} ({size} bytes); '{target}' was not written");
                }

#pragma warning disable CA1849 // FlushAsync does not fsync; the file must be on disk before it is moved into place, and .NET has no async fsync
                file.Flush(flushToDisk: true);
#pragma warning restore CA1849
            }

            File.Move(temp, target, overwrite: true);
            return size;
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }

            throw;
        }
    }
}
