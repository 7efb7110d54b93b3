using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Turbine.Registry.Artifacts;

/// <summary>
/// The default artifact store: blobs as files under <c>&lt;root&gt;/sha256/&lt;first two hex&gt;/&lt;hex&gt;</c>.
/// An upload streams into <c>&lt;root&gt;/tmp/&lt;guid&gt;.part</c> (same file system) while it is hashed, is flushed to
/// disk, verified, and renamed into place in one atomic step; on any failure the temp file is deleted. Temp files a
/// crash left behind are deleted when the store is constructed.
/// </summary>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    /// <summary>The store's well-known name.</summary>
    public const string StoreName = "filesystem";

    private readonly string _blobRoot;
    private readonly ArtifactTempDirectory _temp;
    private readonly ILogger _logger;

    /// <summary>Opens (creating when absent) the store rooted at <paramref name="root"/>.</summary>
    public FileSystemArtifactStore(string root, ILogger<FileSystemArtifactStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _blobRoot = Path.Combine(Root, "sha256");
        Directory.CreateDirectory(_blobRoot);
        _temp = new ArtifactTempDirectory(Path.Combine(Root, "tmp"));
        var stale = _temp.RemoveStale();
        if (stale > 0)
        {
            ArtifactStoreLog.StaleTempRemoved(_logger, stale, _temp.Path);
        }
    }

    /// <summary>The store's root folder (absolute).</summary>
    public string Root { get; }

    /// <inheritdoc />
    public string Name => StoreName;

    /// <inheritdoc />
    public async Task<ArtifactBlob> PutAsync(Stream content, string? expectedSha256, long? maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var expected = expectedSha256 is null ? null : ArtifactDigests.Normalize(expectedSha256, nameof(expectedSha256));
        ArtifactDigests.ValidateLimit(maxBytes);

        var file = _temp.Create(out var tempPath);
        try
        {
            ArtifactBlob blob;
            await using (file)
            {
                blob = await ArtifactDigests.CopyHashingAsync(content, file, maxBytes, cancellationToken);
                ArtifactDigests.Verify(expected, blob);
#pragma warning disable CA1849 // FlushAsync does not fsync; the blob must be on disk before it is renamed in, and .NET has no async fsync
                file.Flush(flushToDisk: true);
#pragma warning restore CA1849
                if (!OperatingSystem.IsWindows())
                {
                    // Blobs are immutable: read-only for everyone (the folder's permissions still allow delete).
                    File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }

                var finalPath = BlobPath(blob.Sha256);
                if (File.Exists(finalPath))
                {
                    // Already stored (the bytes were just verified to hash to it): keep the existing file.
                    ArtifactTempDirectory.TryDelete(tempPath);
                    return blob;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);

                // rename(2) while the temp file is still held, so the stale-file sweep of another instance cannot
                // take it between close and rename. Same content under the same name: a concurrent put replacing
                // the file is harmless (readers holding the old one keep reading identical bytes).
                File.Move(tempPath, finalPath, overwrite: true);
            }

            ArtifactStoreLog.BlobStored(_logger, Name, blob.Sha256, blob.Size);
            return blob;
        }
        catch
        {
            ArtifactTempDirectory.TryDelete(tempPath);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<ArtifactBlob?> StatAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));
        var info = new FileInfo(BlobPath(digest));
        return Task.FromResult(info.Exists ? new ArtifactBlob(digest, info.Length) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));
        try
        {
            Stream stream = new FileStream(BlobPath(digest), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(digest);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));
        var path = BlobPath(digest);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        ArtifactStoreLog.BlobDeleted(_logger, Name, digest);
        return Task.FromResult(true);
    }

    internal string BlobPath(string sha256) => Path.Combine(_blobRoot, sha256[..2], sha256);

    internal string TempPath => _temp.Path;
}
