using Amazon.S3.Model;

namespace Turbine.Registry.Artifacts;

public sealed partial class S3ArtifactStore
{
    private const long MaxParts = 10_000;

    /// <inheritdoc />
    public async Task<ArtifactBlob> PutAsync(Stream content, string? expectedSha256, long? maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var expected = expectedSha256 is null ? null : ArtifactDigests.Normalize(expectedSha256, nameof(expectedSha256));
        ArtifactDigests.ValidateLimit(maxBytes);

        var spool = _spool.Create(out var spoolPath);
        try
        {
            await using (spool)
            {
                var blob = await ArtifactDigests.CopyHashingAsync(content, spool, maxBytes, cancellationToken);
                ArtifactDigests.Verify(expected, blob);
                await spool.FlushAsync(cancellationToken);

                var key = BlobKey(blob.Sha256);
                if (await StatAsync(blob.Sha256, cancellationToken) is { } existing && existing.Size == blob.Size)
                {
                    // Already stored (the bytes were just verified to hash to it): keep the existing object.
                    return blob;
                }

                if (blob.Size <= PartSize)
                {
                    await PutSingleAsync(spool, key, blob, cancellationToken);
                }
                else
                {
                    await PutMultipartAsync(spool, key, blob, cancellationToken);
                }

                ArtifactStoreLog.BlobStored(_logger, Name, blob.Sha256, blob.Size);
                return blob;
            }
        }
        finally
        {
            ArtifactTempDirectory.TryDelete(spoolPath);
        }
    }

    private async Task PutSingleAsync(FileStream spool, string key, ArtifactBlob blob, CancellationToken cancellationToken)
    {
        using var body = new FileSegmentStream(spool.SafeFileHandle, 0, blob.Size);
        await _client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = "application/octet-stream",

                // Plain signed body: aws-chunked framing is not understood by every S3-compatible server (s3rver
                // stores it verbatim).
                UseChunkEncoding = false,
            },
            cancellationToken);
    }

    private async Task PutMultipartAsync(FileStream spool, string key, ArtifactBlob blob, CancellationToken cancellationToken)
    {
        var initiated = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = "application/octet-stream" },
            cancellationToken);
        var uploadId = initiated.UploadId;
        try
        {
            var partSize = PartSizeFor(blob.Size);
            var parts = new List<PartETag>();
            var partNumber = 1;
            for (long offset = 0; offset < blob.Size; offset += partSize, partNumber++)
            {
                var length = Math.Min(partSize, blob.Size - offset);
                using var body = new FileSegmentStream(spool.SafeFileHandle, offset, length);
                var part = await _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = Bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = partNumber,
                        PartSize = length,
                        InputStream = body,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                parts.Add(new PartETag(partNumber, part.ETag));
            }

            // The object appears at its final key only now, complete.
            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartETags = parts },
                cancellationToken);
        }
        catch
        {
            await AbortAsync(key, uploadId);
            throw;
        }
    }

    /// <summary>
    /// <see cref="PartSize"/>, grown for blobs so large that S3's limit of 10,000 parts would be passed
    /// (16 MiB parts reach 156 GiB).
    /// </summary>
    internal long PartSizeFor(long size) => Math.Max(PartSize, (size + MaxParts - 1) / MaxParts);

    private async Task AbortAsync(string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(Bucket, key, uploadId, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The parts are invisible either way; they cost storage until a lifecycle rule removes them.
            ArtifactStoreLog.AbortFailed(_logger, uploadId, key, e);
        }
    }
}
