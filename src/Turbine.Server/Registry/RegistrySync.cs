using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Turbine.Client.Registry;
using Turbine.Core;
using Turbine.Core.Repository;
using Turbine.Core.Sources;

namespace Turbine.Server.Registry;

/// <summary>
/// The model source of serving from a registry: serves registry references (<c>fraud@production</c>): resolves each,
/// downloads the artifact into the content-addressed cache (verified), materializes it as a Triton model folder with the
/// config naming exactly that version, and signals the engine to load it (<see cref="IModelSourceSink.LoadAsync"/>),
/// whose swap loads and warms the new version before requests move and lets the old one drain. Each reference has its
/// own poll loop and its own capped, jittered exponential backoff, so a reference that fails or whose load hangs
/// (bounded by the engine's load timeout, then abandoned) never delays the others; on errors it keeps serving what it has.
/// </summary>
internal sealed partial class RegistrySync : IModelSource, IAsyncDisposable
{
    private readonly RegistryServingOptions _options;
    private readonly ModelRepository _repository;
    private readonly ConcurrentDictionary<string, string> _configs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly RegistryClient _client;
    private readonly RegistryRefCache _refs;
    private readonly IReadOnlyList<(string Reference, string Model)> _targets;
    private readonly ConcurrentDictionary<string, CachedRef> _served = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _fetches = new(StringComparer.Ordinal);
    private IModelSourceSink? _sink;
    private Task? _loop;
    private int _disposed;

    public RegistrySync(RegistryServingOptions options, TimeProvider time, ILogger logger, Random? random = null, HttpMessageHandler? handler = null,
        Turbine.Monitoring.Online.MonitoringService? monitoring = null)
    {
        _options = options;
        _monitoring = options.MonitorProfiles ? monitoring : null;
        _repository = new ModelRepository(options.RepositoryDirectory);
        _time = time;
        _logger = logger;
        _random = random ?? new Random();
        _targets = ParseReferences(options.Models);
        _client = new RegistryClient(options.Url, options.Token, handler);
        Directory.CreateDirectory(options.RepositoryDirectory);
        Directory.CreateDirectory(BlobDirectory);
        _refs = new RegistryRefCache(options.CacheDirectory);
    }

    /// <summary>Reference → the version now served for it.</summary>
    public IReadOnlyDictionary<string, long> Served => _served.ToDictionary(p => p.Key, p => p.Value.Version, StringComparer.Ordinal);

    /// <summary>
    /// Model → how long its latest artifact download took (request to verified blob); a model served from a blob already
    /// cached has none. Bounded by the references served.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> FetchDurations => _fetches.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Failed sync attempts in a row of the reference failing longest (0 when every reference last synced).</summary>
    public int ConsecutiveFailures => _failures.IsEmpty ? 0 : _failures.Values.Max();

    /// <summary>Failed sync attempts in a row of one reference.</summary>
    public int FailuresOf(string reference) => _failures.GetValueOrDefault(reference);

    private string BlobDirectory => Path.Combine(_options.CacheDirectory, "blobs", "sha256");

    /// <summary>
    /// The model name a reference serves under: the part before <c>:</c> or <c>@</c>. Throws
    /// <see cref="ArgumentException"/> naming the problem for an empty reference, an unsafe name or two references to one model.
    /// </summary>
    public static IReadOnlyList<(string Reference, string Model)> ParseReferences(IReadOnlyList<string> references)
    {
        if (references.Count == 0)
        {
            throw new ArgumentException("--model: give at least one registry reference such as fraud@production");
        }

        var result = new List<(string, string)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            var end = reference.IndexOfAny([':', '@']);
            var model = end < 0 ? reference : reference[..end];
            if (!System.Text.RegularExpressions.Regex.IsMatch(model, "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$") || (end >= 0 && end == reference.Length - 1))
            {
                throw new ArgumentException($"--model '{reference}' is not a registry reference (NAME, NAME:VERSION, NAME@ALIAS or NAME@STAGE)");
            }

            if (seen.TryGetValue(model, out var other))
            {
                throw new ArgumentException($"--model '{reference}' and '{other}' both serve model '{model}'; give one reference per model");
            }

            seen[model] = reference;
            result.Add((reference, model));
        }

        return result;
    }

    /// <summary>
    /// The first sync, before the server opens its ports: every reference is resolved and loaded; a reference the
    /// registry cannot answer for is served from the cache (refs.json) when it was served before. Never throws for
    /// registry failures: polling keeps trying.
    /// </summary>
    public async Task StartAsync(IModelSourceSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;

        // Model folders left by an earlier run with other references are not served; drop them from the index.
        foreach (var stale in Directory.EnumerateDirectories(_options.RepositoryDirectory))
        {
            if (!_targets.Any(t => t.Model == Path.GetFileName(stale)))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        // All references at once: one slow reference does not hold the others back.
        await Task.WhenAll(_targets.Select(t => StartOneAsync(t.Reference, t.Model, cancellationToken))).ConfigureAwait(false);
    }

    private async Task StartOneAsync(string reference, string model, CancellationToken cancellationToken)
    {
        await Task.Yield();
        {
            try
            {
                await SyncAsync(reference, model, cancellationToken).ConfigureAwait(false);
                _failures[reference] = 0;
            }
            catch (Exception e) when (IsSyncFailure(e))
            {
                _failures[reference] = 1;
                if (_refs.Get(reference) is { } cached && File.Exists(BlobPath(cached.Sha256)))
                {
                    RegistrySyncLog.ServingCached(_logger, reference, cached.Version, e.Message);
                    try
                    {
                        await ServeAsync(reference, cached, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception inner) when (IsSyncFailure(inner))
                    {
                        RegistrySyncLog.SyncFailed(_logger, reference, NextDelay(1).TotalSeconds, inner.Message);
                    }
                }
                else
                {
                    RegistrySyncLog.SyncFailed(_logger, reference, NextDelay(1).TotalSeconds, e.Message);
                }
            }
        }
    }

    /// <summary>Starts one poll loop per reference (stopped by <see cref="DisposeAsync"/>).</summary>
    public void StartPolling()
    {
        _ = Sink;
        _loop ??= Task.WhenAll(_targets.Select(t => Task.Run(() => PollLoopAsync(t.Reference, t.Model, _stopping.Token))));
    }

    /// <summary>One round: every reference resolved (concurrently) and, when it moved, swapped. Returns the failures (reference, message).</summary>
    public async Task<IReadOnlyList<(string Reference, string Message)>> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_targets.Select(async t =>
        {
            try
            {
                await SyncAsync(t.Reference, t.Model, cancellationToken).ConfigureAwait(false);
                return ((string, string)?)null;
            }
            catch (Exception e) when (IsSyncFailure(e))
            {
                return (t.Reference, e.Message);
            }
        })).ConfigureAwait(false);
        return [.. results.OfType<(string, string)>()];
    }

    /// <summary>The wait before retry number <paramref name="failures"/>: poll × 2^failures, capped, times a jitter in [0.5, 1).</summary>
    public TimeSpan NextDelay(int failures)
    {
        var exponent = Math.Min(failures, 30);
        var ticks = Math.Min(_options.MaxBackoff.Ticks, _options.PollInterval.Ticks * (1L << Math.Min(exponent, 20)));
        double jitter;
        lock (_random)
        {
            jitter = _random.NextDouble();
        }

        return TimeSpan.FromTicks((long)(ticks * (0.5 + (0.5 * jitter))));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _client.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One reference's loop: poll, and on failure back off on its own count of failures.</summary>
    private async Task PollLoopAsync(string reference, string model, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var failures = _failures.GetValueOrDefault(reference);
            var delay = failures == 0 ? _options.PollInterval : NextDelay(failures);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                await SyncAsync(reference, model, cancellationToken).ConfigureAwait(false);
                if (failures > 0)
                {
                    RegistrySyncLog.Recovered(_logger, failures);
                }

                _failures[reference] = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsSyncFailure(e))
            {
                var next = failures + 1;
                _failures[reference] = next;
                RegistrySyncLog.SyncFailed(_logger, reference, NextDelay(next).TotalSeconds, e.Message);
            }
        }
    }

    /// <summary>Resolves one reference and, when it names another version (or bytes) than served, swaps to it.</summary>
    private async Task SyncAsync(string reference, string model, CancellationToken cancellationToken)
    {
        RegistryModelVersion version;
        using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                version = await _client.ResolveAsync(reference, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RegistryException(0, RegistryException.UnreachableCode, $"the registry at {_options.Url} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
            }
        }

        if (version.Model != model)
        {
            throw new InvalidDataException($"the registry resolved '{reference}' to model '{version.Model}', expected '{model}'");
        }

        var wanted = new CachedRef(model, version.Version, version.Artifact.Sha256.ToLowerInvariant(), version.Artifact.Packing, version.Artifact.FileName);
        if (_served.TryGetValue(reference, out var current) && current.Version == wanted.Version && current.Sha256 == wanted.Sha256)
        {
            return;
        }

        var blob = BlobPath(wanted.Sha256);
        if (!File.Exists(blob))
        {
            var fetchStarted = _time.GetTimestamp();
            await _client.DownloadArtifactAsync(model, version.Version, blob, wanted.Sha256, cancellationToken).ConfigureAwait(false);
            _fetches[model] = _time.GetElapsedTime(fetchStarted);
            RegistrySyncLog.Downloaded(_logger, model, version.Version, new FileInfo(blob).Length, wanted.Sha256);
        }

        await ServeAsync(reference, wanted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Materializes a cached blob and signals the engine to load it; records it on success.</summary>
    private async Task ServeAsync(string reference, CachedRef wanted, CancellationToken cancellationToken)
    {
        var sink = Sink;
        var configOverride = await RegistryMaterializer.MaterializeAsync(_options.RepositoryDirectory, wanted, BlobPath(wanted.Sha256), _options.CacheDirectory,
            _options.Extraction, sink.FileLimits, cancellationToken).ConfigureAwait(false);
        _configs[wanted.Model] = configOverride;
        var error = await sink.LoadAsync(wanted.Model, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidDataException($"version {wanted.Version} of '{wanted.Model}' did not load: {error.Message}");
        }

        await UseProfileAsync(wanted.Model, wanted.Version, cancellationToken).ConfigureAwait(false);
        RegistryMaterializer.RemoveOtherVersions(_options.RepositoryDirectory, wanted.Model, wanted.Version);
        var previous = _served.TryGetValue(reference, out var old) ? $"version {old.Version}" : "not served";
        _served[reference] = wanted;
        _refs.Set(reference, wanted);
        RegistrySyncLog.Swapped(_logger, reference, wanted.Model, wanted.Version, wanted.Sha256, previous);
    }

    private string BlobPath(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"the registry gave the artifact digest '{sha256}', which is not a SHA-256 in lower-case hex");
        }

        return Path.Combine(BlobDirectory, sha256);
    }

    private static bool IsSyncFailure(Exception e) =>
        e is RegistryException or InvalidDataException or IOException or UnauthorizedAccessException
        || (e is TaskCanceledException && e.InnerException is TimeoutException);
}
