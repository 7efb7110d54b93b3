using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Turbine.Client.Registry;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

/// <summary>
/// Resolves a deployment's <c>storageUri</c> to the revision it means now: a registry stage, alias or version to a
/// concrete version the replica pulls itself; a <c>file://</c> path under an allowed root, or an <c>s3://</c> prefix,
/// to a content-addressed copy in <see cref="Cache"/> (revision <c>sha-&lt;12 hex&gt;</c>). Failures come back as
/// values naming the URI (the caller keeps the previous revision serving); secrets never appear in them.
/// See docs/control.md, "Resolving storageUri".
/// </summary>
public sealed partial class RevisionResolver : IRevisionResolver, IDisposable
{
    private const int CopyBufferSize = 81920;

    private readonly ResolverOptions _options;
    private readonly TimeProvider _time;
    private readonly RegistryClient? _registry;
    private readonly FingerprintMemo _fingerprints;
    private readonly Lock _s3Lock = new();
    private AmazonS3Client? _s3;
    private bool _disposed;

    /// <summary>A resolver with <paramref name="options"/> (checked: an <see cref="ArgumentException"/> names the first problem).</summary>
    /// <param name="options">Registry, allowed roots, S3, cache and limits.</param>
    /// <param name="time">The clock for fetch durations and cache use times; the system clock when null.</param>
    public RevisionResolver(ResolverOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
        _fingerprints = new FingerprintMemo(options.FingerprintCacheEntries);
        Cache = new ArtifactCache(options.CacheDirectory, options.CacheMaxBytes, options.CacheGracePeriod, _time);
        _registry = options.RegistryUrl is { } url ? new RegistryClient(url, options.RegistryToken) : null;
    }

    /// <summary>The artifact cache; the reconciler calls <see cref="ArtifactCache.Protect"/> with the revisions in use.</summary>
    public ArtifactCache Cache { get; }

    /// <inheritdoc />
    public void RevisionsInUse(IReadOnlyCollection<string> revisionIds) => Cache.Protect(revisionIds);

    /// <inheritdoc />
    public async Task<ControlResult<RevisionModel>> ResolveAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var uri = spec.Predictor.Model.StorageUri;
        try
        {
            return uri switch
            {
                RegistryStorageUri registry => await ResolveRegistryAsync(registry, cancellationToken).ConfigureAwait(false),
                FileStorageUri file => await ResolveFileAsync(file, spec.Name, cancellationToken).ConfigureAwait(false),
                S3StorageUri s3 => await ResolveS3Async(s3, spec.Name, cancellationToken).ConfigureAwait(false),
                _ => ControlResult<RevisionModel>.Fail(ControlErrorKind.Invalid, $"storageUri '{uri.Original}': this scheme is not supported"),
            };
        }
        catch (ArtifactException e)
        {
            return ControlResult<RevisionModel>.Fail(e.Kind, e.Message);
        }
    }

    public void Dispose()
    {
        _registry?.Dispose();
        lock (_s3Lock)
        {
            _disposed = true;
            _s3?.Dispose();
            _s3 = null;
        }
    }

    /// <summary>
    /// The cached revision for <paramref name="layout"/>: a hit when its fingerprint is known and the folder is still
    /// cached, else every file is copied (through <paramref name="open"/>) into a staging folder while hashed, and the
    /// folder is committed under its digest.
    /// </summary>
    private async Task<RevisionModel> FetchAsync(
        string uri,
        string fingerprintSource,
        ArtifactLayout layout,
        Func<ArtifactEntry, CancellationToken, Task<Stream>> open,
        CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var fingerprint = Fingerprint(fingerprintSource, layout);
        if (_fingerprints.TryGet(fingerprint) is { } known && Cache.TryGet(known) is { } hit)
        {
            return Revision(known, layout, hit, _time.GetElapsedTime(started));
        }

        var staging = Cache.CreateStaging();
        try
        {
            var manifest = new StringBuilder();
            long bytes = 0;
            var buffer = new byte[CopyBufferSize];
            foreach (var (entry, destination) in layout.Files.OrderBy(f => f.Destination, StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var target = Path.Combine(staging, destination);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long copied = 0;
                var source = await open(entry, cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, useAsync: true);
                    await using (output.ConfigureAwait(false))
                    {
                        while (true)
                        {
                            // Read at most one byte more than listed: a file that grew is refused, never read without bound.
                            var want = (int)Math.Min(buffer.Length, entry.Size + 1 - copied);
                            var read = want <= 0 ? 0 : await source.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                            if (read == 0)
                            {
                                break;
                            }

                            copied += read;
                            if (copied > entry.Size)
                            {
                                break;
                            }

                            hash.AppendData(buffer, 0, read);
                            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                if (copied != entry.Size)
                {
                    throw new ArtifactException(ControlErrorKind.Unavailable,
                        $"storageUri '{uri}': '{entry.RelativePath}' changed while it was copied ({entry.Size} bytes listed, {(copied > entry.Size ? "more" : copied.ToString(System.Globalization.CultureInfo.InvariantCulture))} read); try again");
                }

                bytes += copied;
                manifest.Append(destination).Append('\0').Append(copied).Append('\0').Append(Convert.ToHexStringLower(hash.GetHashAndReset())).Append('\n');
            }

            var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
            var path = Cache.Commit(staging, digest, bytes);
            _fingerprints.Set(fingerprint, digest);
            return Revision(digest, layout, path, _time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Cache.Discard(staging);
            throw new ArtifactException(ControlErrorKind.Unavailable, $"storageUri '{uri}': copying into the artifact cache failed: {e.Message}");
        }
        catch
        {
            Cache.Discard(staging);
            throw;
        }
    }

    private static RevisionModel Revision(string digest, ArtifactLayout layout, string path, TimeSpan fetch) =>
        new(ArtifactCache.RevisionIdOf(digest), digest[..ArtifactCache.ShortDigestLength], layout.ModelNames, new FolderModelLocation(path))
        {
            FetchDuration = fetch,
        };

    /// <summary>A digest of where the artifact comes from and every file's destination, size and change stamp.</summary>
    private static string Fingerprint(string source, ArtifactLayout layout)
    {
        var text = new StringBuilder(source).Append('\n');
        foreach (var (entry, destination) in layout.Files.OrderBy(f => f.Destination, StringComparer.Ordinal))
        {
            text.Append(destination).Append('\0').Append(entry.Size).Append('\0').Append(entry.Stamp).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A bounded map fingerprint → digest; the oldest entry goes when it is full.</summary>
    private sealed class FingerprintMemo(int capacity)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, string> _digests = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public string? TryGet(string fingerprint)
        {
            lock (_lock)
            {
                return _digests.GetValueOrDefault(fingerprint);
            }
        }

        public void Set(string fingerprint, string digest)
        {
            lock (_lock)
            {
                if (_digests.TryAdd(fingerprint, digest))
                {
                    _order.Enqueue(fingerprint);
                    while (_order.Count > capacity)
                    {
                        _digests.Remove(_order.Dequeue());
                    }
                }
            }
        }
    }
}
