using System.Security.Cryptography;

namespace Turbine.Client.Registry;

/// <summary>Writes a downloaded artifact to a file only when its bytes match the expected SHA-256.</summary>
public static class ArtifactDownload
{
    /// <summary>
    /// Streams <paramref name="source"/> into a temporary file next to <paramref name="path"/>, hashing as it goes;
    /// moves it into place when the digest matches, else deletes it and throws <see cref="InvalidDataException"/>.
    /// Nothing is left at <paramref name="path"/> on any failure.
    /// </summary>
    public static async Task ToFileAsync(Stream source, string expectedSha256, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"downloaded artifact has SHA-256 {actual}, expected {expectedSha256}");
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
