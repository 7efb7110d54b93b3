using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Turbine.Batch.Storage;

/// <summary>
/// S3 and S3-compatible stores (path-style, as the registry's S3 artifact store): inputs are streamed from GetObject
/// (Parquet is spooled to a temporary file, since it is read from the end); an object is written whole by one
/// PutObject from a temporary local file, so a part appears atomically or not at all. The endpoint, region and
/// credentials come from the AWS variables (<c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>,
/// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>) or the options given.
/// </summary>
public sealed class S3BatchStore : IBatchStore, IDisposable
{
    private readonly AmazonS3Client _client;

    /// <param name="endpoint">Service URL of an S3-compatible store, or null for AWS (then <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c>).</param>
    /// <param name="accessKey">Access key, or null for the SDK's default credential chain.</param>
    /// <param name="secretKey">Secret key with <paramref name="accessKey"/>.</param>
    public S3BatchStore(string? endpoint = null, string? accessKey = null, string? secretKey = null)
    {
        var region = FirstSet(Environment.GetEnvironmentVariable("AWS_REGION"), Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")) ?? "us-east-1";
        endpoint = FirstSet(endpoint, Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"), Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromMinutes(5),
            MaxErrorRetry = 4,
        };
        if (endpoint is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
        }

        _client = !string.IsNullOrEmpty(accessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config)
            : new AmazonS3Client(config);
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    public async Task<Stream> OpenReadAsync(string path, bool seekable, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(path);
        var response = await Get(location, cancellationToken).ConfigureAwait(false);
        if (!seekable)
        {
            return new ResponseStream(response);
        }

        using (response)
        {
            var spool = new FileStream(Path.Combine(Path.GetTempPath(), $"turbine-batch-{Guid.NewGuid():N}.spool"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await response.ResponseStream.CopyToAsync(spool, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                return spool;
            }
            catch
            {
                await spool.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task<GetObjectResponse> Get(S3Location location, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"'{location}' does not exist", location.ToString(), e);
        }
    }

    public async Task<string> IdentityAsync(string path, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(path);
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
            return $"{location}|{metadata.ContentLength}|{metadata.ETag}";
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"'{location}' does not exist", path, e);
        }
    }

    public async Task<string?> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(path);
        try
        {
            using var response = await _client.GetObjectAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(path);
        var spool = new FileStream(Path.Combine(Path.GetTempPath(), $"turbine-batch-{Guid.NewGuid():N}.spool"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (spool.ConfigureAwait(false))
        {
            await write(spool).ConfigureAwait(false);
            await spool.FlushAsync(cancellationToken).ConfigureAwait(false);
            spool.Position = 0;
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = location.Bucket,
                Key = location.Key,
                InputStream = spool,
                AutoCloseStream = false,
                ContentType = "application/octet-stream",

                // Plain signed body, as the registry's store: aws-chunked framing is not understood by every
                // S3-compatible server (s3rver stores it verbatim).
                UseChunkEncoding = false,
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CopyToAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await Get(S3Location.Parse(path), cancellationToken).ConfigureAwait(false);
        await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(folder);
        var prefix = location.Key.Length == 0 || location.Key.EndsWith('/') ? location.Key : location.Key + "/";
        var names = new List<string>();
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix, Delimiter = "/" };
        while (true)
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            names.AddRange((page.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
            if (page.IsTruncated != true)
            {
                break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(path);
        await _client.DeleteObjectAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
    }

    public string Combine(string folder, string name) => folder.TrimEnd('/') + "/" + name;

    public void Dispose() => _client.Dispose();

    /// <summary>A GetObject body that disposes its response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
