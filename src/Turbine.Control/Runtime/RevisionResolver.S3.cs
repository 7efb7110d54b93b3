using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

public sealed partial class RevisionResolver
{
    /// <summary>
    /// An <c>s3://bucket/prefix</c> URI: the objects under <c>prefix/</c> (or the one object named by the key) are listed
    /// within the count and size limits, their keys checked, classified like a folder, and downloaded (streamed to disk)
    /// into the cache. The listing's ETags are the quick fingerprint: an unchanged prefix costs one listing.
    /// </summary>
    private async Task<ControlResult<RevisionModel>> ResolveS3Async(S3StorageUri uri, string deployment, CancellationToken cancellationToken)
    {
        var client = S3Client();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.S3Timeout);
        try
        {
            var prefix = uri.Key.Length == 0 || uri.Key.EndsWith('/') ? uri.Key : uri.Key + "/";
            var (keys, entries) = await ListAsync(client, uri, prefix, timeout.Token).ConfigureAwait(false);
            var singleFile = false;
            if (entries.Count == 0 && prefix != uri.Key)
            {
                // Not a prefix: the key may name one object (an .onnx file).
                var exact = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = uri.Bucket, Prefix = uri.Key, MaxKeys = 1 }, timeout.Token).ConfigureAwait(false);
                if (exact.S3Objects?.FirstOrDefault() is { } only && only.Key == uri.Key)
                {
                    var name = uri.Key[(uri.Key.LastIndexOf('/') + 1)..];
                    CheckLimits(uri.Original, 1, only.Size ?? 0);
                    keys[name] = only.Key;
                    entries.Add(new ArtifactEntry(name, only.Size ?? 0, only.ETag ?? ""));
                    singleFile = true;
                }
            }

            if (entries.Count == 0)
            {
                return ControlResult<RevisionModel>.Fail(ControlErrorKind.NotFound, $"storageUri '{uri.Original}': no objects under this prefix");
            }

            var trimmed = uri.Key.TrimEnd('/');
            var folderName = trimmed.Length == 0 ? uri.Bucket : trimmed[(trimmed.LastIndexOf('/') + 1)..];
            var layout = Classify(entries, singleFile, folderName, deployment, uri.Original);
            var model = await FetchAsync(
                uri.Original,
                "s3\0" + client.Config.ServiceURL + "\0" + uri.Bucket + "\0" + uri.Key,
                layout,
                async (entry, ct) =>
                {
                    var response = await client.GetObjectAsync(uri.Bucket, keys[entry.RelativePath], ct).ConfigureAwait(false);
                    return response.ResponseStream;
                },
                timeout.Token).ConfigureAwait(false);
            return ControlResult<RevisionModel>.Ok(model);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.NotFound, $"storageUri '{uri.Original}': S3 answered not found ({e.ErrorCode}): {e.Message}");
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable, $"storageUri '{uri.Original}': S3 could not be read: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable,
                $"storageUri '{uri.Original}': fetching did not finish within {_options.S3Timeout} (ResolverOptions.S3Timeout)");
        }
    }

    /// <summary>The objects under <paramref name="prefix"/>: key per relative path, and the entries (folder markers and hidden paths skipped).</summary>
    private async Task<(Dictionary<string, string> Keys, List<ArtifactEntry> Entries)> ListAsync(
        AmazonS3Client client, S3StorageUri uri, string prefix, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<ArtifactEntry>();
        long total = 0;
        var request = new ListObjectsV2Request { BucketName = uri.Bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                var relative = item.Key[prefix.Length..];
                var size = item.Size ?? 0;
                if (size == 0 && (relative.Length == 0 || (relative.EndsWith('/') && CheckRelativePath(relative[..^1]) is null)))
                {
                    continue; // a "folder" marker some tools write
                }

                if (CheckRelativePath(relative) is { } bad)
                {
                    throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri.Original}': object key '{Shorten(item.Key)}' {bad} after the prefix; refusing the artifact");
                }

                if (relative.Split('/').Any(s => s.StartsWith('.')))
                {
                    continue; // hidden, as for folders
                }

                if (size < 0)
                {
                    throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri.Original}': object '{Shorten(item.Key)}' has a negative size");
                }

                total += size;
                CheckLimits(uri.Original, entries.Count + 1, total);
                keys[relative] = item.Key;
                entries.Add(new ArtifactEntry(relative, size, item.ETag ?? ""));
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                return (keys, entries);
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>The S3 client, made on first use: path style, checksums only where S3 requires them (as the registry's store).</summary>
    private AmazonS3Client S3Client()
    {
        lock (_s3Lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_s3 is not null)
            {
                return _s3;
            }

            var region = FirstSet(_options.S3Region, Environment.GetEnvironmentVariable("AWS_REGION"), Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")) ?? "us-east-1";
            var endpoint = FirstSet(_options.S3Endpoint, Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"), Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));
            var config = new AmazonS3Config
            {
                ForcePathStyle = true,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
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

            _s3 = !string.IsNullOrEmpty(_options.S3AccessKey)
                ? new AmazonS3Client(new BasicAWSCredentials(_options.S3AccessKey, _options.S3SecretKey), config)
                : new AmazonS3Client(config);
            return _s3;
        }
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;
}
