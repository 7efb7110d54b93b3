using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Turbine.Registry.Artifacts;

/// <summary>
/// Artifacts in an S3-compatible bucket: blob objects at <c>[&lt;prefix&gt;/]sha256/&lt;hex&gt;</c>.
/// An upload is spooled to a local temp file while it is hashed and checked against its size limit and declared
/// digest; only then is it sent to the bucket, straight to its final key, as one PUT (up to <see cref="PartSize"/>)
/// or a multipart upload read part by part from the spool file. S3 makes an object visible only when its PUT or its
/// CompleteMultipartUpload succeeds, so a failed or interrupted upload never shows; a multipart upload that fails is
/// aborted. See docs/registry-artifacts.md for why spooling rather than streaming parts of unverified bytes.
/// </summary>
public sealed partial class S3ArtifactStore : IArtifactStore, IDisposable
{
    /// <summary>The store's well-known name.</summary>
    public const string StoreName = "s3";

    /// <summary>Default multipart part size (and the largest blob sent as a single PUT): 16 MiB.</summary>
    public const long DefaultPartSize = 16L << 20;

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly ArtifactTempDirectory _spool;
    private readonly ILogger _logger;

    /// <summary>
    /// A store over <paramref name="client"/>, in <paramref name="bucket"/> under the optional key
    /// <paramref name="prefix"/>, spooling uploads in <paramref name="spoolDirectory"/> (which must have room for the
    /// largest artifact; stale spool files from a crash are deleted here).
    /// </summary>
    public S3ArtifactStore(
        IAmazonS3 client,
        string bucket,
        string? prefix,
        string spoolDirectory,
        bool ownsClient = false,
        ILogger<S3ArtifactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentException.ThrowIfNullOrWhiteSpace(spoolDirectory);
        _client = client;
        _ownsClient = ownsClient;
        Bucket = bucket;
        Prefix = NormalizePrefix(prefix);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _spool = new ArtifactTempDirectory(spoolDirectory);
        var stale = _spool.RemoveStale();
        if (stale > 0)
        {
            ArtifactStoreLog.StaleTempRemoved(_logger, stale, _spool.Path);
        }
    }

    /// <inheritdoc />
    public string Name => StoreName;

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>The key prefix every object of this store has: empty, or ends with '/'.</summary>
    public string Prefix { get; }

    /// <summary>The local folder uploads are spooled in.</summary>
    public string SpoolDirectory => _spool.Path;

    /// <summary>Multipart part size; blobs up to this size go up in a single PUT. At least 5 MiB (S3's minimum part).</summary>
    public long PartSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 5L << 20);
            field = value;
        }
    } = DefaultPartSize;

    /// <inheritdoc />
    public async Task<ArtifactBlob?> StatAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));
        try
        {
            var head = await _client.GetObjectMetadataAsync(Bucket, BlobKey(digest), cancellationToken);
            return new ArtifactBlob(digest, head.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));
        try
        {
            // The response stream itself: the bytes flow from the connection as the caller reads them.
            var response = await _client.GetObjectAsync(Bucket, BlobKey(digest), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new ArtifactNotFoundException(digest);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        var digest = ArtifactDigests.Normalize(sha256, nameof(sha256));

        // S3's DELETE succeeds for absent keys too; the HEAD tells the caller whether there was something to delete.
        if (await StatAsync(digest, cancellationToken) is null)
        {
            return false;
        }

        await _client.DeleteObjectAsync(Bucket, BlobKey(digest), cancellationToken);
        ArtifactStoreLog.BlobDeleted(_logger, Name, digest);
        return true;
    }

    /// <summary>Disposes the S3 client when the store owns it (built by <see cref="ArtifactStoreFactory"/>).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    internal string BlobKey(string sha256) => Prefix + "sha256/" + sha256;

    private static string NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }
}
