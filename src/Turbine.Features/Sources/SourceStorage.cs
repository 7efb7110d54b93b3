using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Turbine.Batch.Storage;
using Turbine.Features.Definitions;

namespace Turbine.Features.Sources;

/// <summary>
/// Where source files are read from: the local file system, or S3 (an <c>s3://bucket/key</c> object, or every
/// <c>*.parquet</c>/<c>*.csv</c> object directly under an <c>s3://bucket/prefix/</c>) through the batch job's
/// <see cref="S3BatchStore"/> (one S3 client, path-style, the AWS variables). CSV objects are streamed from
/// GetObject; a Parquet object (read from its footer, so it must seek) is spooled to a temporary file that is
/// deleted when closed and may not grow past <see cref="MaxSpoolBytes"/>. Credentials are never part of a message.
/// </summary>
public sealed class SourceStorage : IDisposable
{
    /// <summary>Default largest Parquet object spooled: 16 GiB.</summary>
    public const long DefaultMaxSpoolBytes = 16L << 30;

    private readonly string? _endpoint;
    private readonly string? _accessKey;
    private readonly string? _secretKey;
    private readonly ConcurrentDictionary<string, S3BatchStore> _stores = new(StringComparer.Ordinal);

    /// <param name="endpoint">S3 endpoint for every source without its own <c>s3_endpoint_override</c>; null: <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c>, else AWS.</param>
    /// <param name="accessKey">Access key; null: the SDK's default chain (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, profile, instance role).</param>
    /// <param name="secretKey">Secret key with <paramref name="accessKey"/>.</param>
    public SourceStorage(string? endpoint = null, string? accessKey = null, string? secretKey = null)
    {
        _endpoint = endpoint;
        _accessKey = accessKey;
        _secretKey = secretKey;
    }

    /// <summary>The process-wide storage configured from the environment (what the CLI and the server use).</summary>
    public static SourceStorage Default { get; } = new();

    /// <summary>Largest Parquet object spooled to local disk (bytes); a larger one is refused before it fills the disk.</summary>
    public long MaxSpoolBytes { get; init; } = DefaultMaxSpoolBytes;

    /// <summary>Folder of the spool files (default: the system's temporary folder, <c>TMPDIR</c>).</summary>
    public string? SpoolFolder { get; init; }

    /// <summary>Whether <paramref name="path"/> is an <c>s3://</c> URI.</summary>
    public static bool IsS3(string path) => S3Location.IsS3(path);

    private S3BatchStore Store(string? endpointOverride) =>
        _stores.GetOrAdd(endpointOverride ?? _endpoint ?? string.Empty, e => new S3BatchStore(e.Length == 0 ? null : e, _accessKey, _secretKey));

    /// <summary>The files (local paths or s3:// URIs) of a source path, in name order.</summary>
    /// <param name="path">A file or folder, or an s3:// object or prefix.</param>
    /// <param name="format">The source's format (which extension a folder or prefix lists).</param>
    /// <param name="endpointOverride">The source's own S3 endpoint, or null.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public async Task<IReadOnlyList<string>> FilesAsync(string path, SourceFormat format, string? endpointOverride, CancellationToken cancellationToken)
    {
        if (!IsS3(path))
        {
            return SourceReader.Files(path, format);
        }

        var ext = format == SourceFormat.Parquet ? ".parquet" : ".csv";
        var location = Parse(path);
        if (location.Key.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
        {
            return [location.ToString()];
        }

        // A prefix: the objects directly under it with the format's extension.
        var folder = location.Key.Length == 0 || location.Key.EndsWith('/') ? location.ToString() : location + "/";
        IReadOnlyList<string> names;
        try
        {
            names = await Store(endpointOverride).ListAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw Failure(folder, e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException)
        {
            throw new FeatureRepoException($"source {folder}: cannot reach S3: {e.Message}", e);
        }

        var files = names.Where(n => n.Length > 0 && !n.Contains('/', StringComparison.Ordinal) && n.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            .Select(n => folder + n).ToArray();
        return files.Length > 0 ? files : throw new FeatureRepoException($"source '{path}': no {ext} objects under {folder}");
    }

    /// <summary>Opens one file of a source: a local regular file, a streamed S3 object, or (seekable) a spooled one.</summary>
    /// <param name="file">A local path or an s3:// URI from <see cref="FilesAsync"/>.</param>
    /// <param name="seekable">Whether the reader seeks (Parquet).</param>
    /// <param name="endpointOverride">The source's own S3 endpoint, or null.</param>
    /// <param name="cancellationToken">Stops the open (and the spool's download).</param>
    public async Task<Stream> OpenAsync(string file, bool seekable, string? endpointOverride, CancellationToken cancellationToken)
    {
        if (!IsS3(file))
        {
            return File.OpenRead(file);
        }

        var location = Parse(file);
        Stream body;
        try
        {
            body = await Store(endpointOverride).OpenReadAsync(location.ToString(), seekable: false, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new FeatureRepoException($"source object {location}: does not exist (no such bucket or key)", e);
        }
        catch (AmazonServiceException e)
        {
            throw Failure(location.ToString(), e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException)
        {
            throw new FeatureRepoException($"source object {location}: cannot reach S3: {e.Message}", e);
        }

        if (!seekable)
        {
            return body;
        }

        await using (body.ConfigureAwait(false))
        {
            return await SpoolAsync(location.ToString(), body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes an S3 object from a local temporary file that <paramref name="write"/> fills (uploaded whole: readers never see part of it).</summary>
    /// <param name="uri">The s3:// object to write.</param>
    /// <param name="write">Writes the content to the local path it is given.</param>
    /// <param name="cancellationToken">Stops the upload (nothing is written).</param>
    public async Task WriteAsync(string uri, Func<string, Task> write, CancellationToken cancellationToken)
    {
        var location = Parse(uri);
        var local = Path.Combine(SpoolFolder ?? Path.GetTempPath(), $"turbine-features-{Guid.NewGuid():N}.out");
        try
        {
            await write(local).ConfigureAwait(false);
            await Store(null).WriteAsync(location.ToString(), async s =>
            {
                var file = File.OpenRead(local);
                await using (file.ConfigureAwait(false))
                {
                    await file.CopyToAsync(s, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw Failure(location.ToString(), e);
        }
        finally
        {
            File.Delete(local);
        }
    }

    private async Task<Stream> SpoolAsync(string what, Stream body, CancellationToken ct)
    {
        var spool = new FileStream(Path.Combine(SpoolFolder ?? Path.GetTempPath(), $"turbine-features-{Guid.NewGuid():N}.spool"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                total += n;
                if (total > MaxSpoolBytes)
                {
                    throw new FeatureRepoException($"source object {what}: larger than the {MaxSpoolBytes} bytes a Parquet object may be spooled to local disk; split it into several objects under a prefix");
                }

                await spool.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            }

            await spool.FlushAsync(ct).ConfigureAwait(false);
            spool.Position = 0;
            return spool;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or IOException)
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw new FeatureRepoException($"source object {what}: download failed: {e.Message}", e);
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static S3Location Parse(string path)
    {
        try
        {
            return S3Location.Parse(path);
        }
        catch (ArgumentException e)
        {
            throw new FeatureRepoException(e.Message, e);
        }
    }

    /// <summary>An S3 error as a message naming the object and S3's error code (never the request's credentials).</summary>
    private static FeatureRepoException Failure(string what, AmazonServiceException e)
    {
        var code = e is AmazonS3Exception s3 && !string.IsNullOrEmpty(s3.ErrorCode) ? s3.ErrorCode : e.StatusCode.ToString();
        var reason = e.StatusCode switch
        {
            HttpStatusCode.NotFound => "does not exist (no such bucket or key)",
            HttpStatusCode.Forbidden => "access denied (check the credentials' permissions)",
            _ => $"S3 error {(int)e.StatusCode}",
        };
        return new FeatureRepoException($"source {what}: {reason} [{code}]", e);
    }

    public void Dispose()
    {
        foreach (var store in _stores.Values)
        {
            store.Dispose();
        }

        _stores.Clear();
    }
}
