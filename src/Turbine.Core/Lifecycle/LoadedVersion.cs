using System.Collections.Immutable;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using Turbine.Core.Stats;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// A loaded model version: its config, scheduler (owning the instances), statistics and labels. Reference
/// counted: the manager holds one reference while the version serves, each request holds one while it runs
/// and its response is written. When the count reaches zero the instances are released.
/// </summary>
internal sealed class LoadedVersion
{
    private static long s_nextIdentity;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _refs = 1;
    private long _lastUsed = System.Diagnostics.Stopwatch.GetTimestamp();
    private IReadOnlyList<string>? _allOutputNames;
    private string? _versionText;

    public LoadedVersion(ModelConfig config, long version, string fingerprint, IScheduler scheduler, ModelStatistics statistics,
        ImmutableDictionary<string, IReadOnlyList<string>> labels)
    {
        Config = config;
        HasOutputReshape = config.Outputs.Any(o => o.Reshape is not null);
        Version = version;
        Fingerprint = fingerprint;
        Scheduler = scheduler;
        Statistics = statistics;
        Labels = labels;
    }

    public ModelConfig Config { get; }

    /// <summary>Every output name, in config order: what a request that names no outputs gets.</summary>
    public IReadOnlyList<string> AllOutputNames => _allOutputNames ??= [.. Config.Outputs.Select(o => o.Name)];

    /// <summary>True when some output has a <c>reshape</c> (the request path skips the lookup otherwise).</summary>
    public bool HasOutputReshape { get; }

    /// <summary>The version number as protocol text, formatted once.</summary>
    public string VersionText => _versionText ??= Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Unique per load: a reload of the same version number never shares cached responses with the old one.</summary>
    public long Identity { get; } = Interlocked.Increment(ref s_nextIdentity);

    public long Version { get; }

    /// <summary>How long loading this version took (backend load and warm-up), for the load-duration metric.</summary>
    public TimeSpan LoadDuration { get; internal set; }

    /// <summary>The part of <see cref="LoadDuration"/> spent running the config's <c>model_warmup</c> samples (zero without warm-up).</summary>
    public TimeSpan WarmupDuration { get; internal set; }

    /// <summary>What the version was loaded from (config + files), to tell whether a reload must replace it.</summary>
    public string Fingerprint { get; }

    public IScheduler Scheduler { get; }

    /// <summary>The models a graph (ensemble or routing graph) runs; empty for a model that runs on a backend.</summary>
    public IReadOnlyList<string> ComposingModels { get; init; } = [];

    public ModelStatistics Statistics { get; }

    /// <summary>Labels per output name, from each output's <c>label_filename</c>.</summary>
    public ImmutableDictionary<string, IReadOnlyList<string>> Labels { get; }

    /// <summary>Completes when the last reference is released and the instances are gone.</summary>
    public Task Drained => _drained.Task;

    /// <summary>What the version costs in memory, measured around its load (<see cref="Memory.MemoryFootprint"/>).</summary>
    public Memory.MemoryFootprint Footprint { get; internal set; }

    /// <summary>True when the config says <c>parameters { key: "pinned" value: { string_value: "true" } }</c>: the memory budget never evicts it.</summary>
    public bool Pinned => Config.Parameters.TryGetValue("pinned", out var pinned) && string.Equals(pinned.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>When a request last took a reference (<see cref="System.Diagnostics.Stopwatch"/> ticks): the LRU order of eviction.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Requests holding the version now (the manager's own reference not counted); 0 once released.</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref _refs) - 1);

    /// <summary>Takes a reference unless the version is already fully released.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var refs = Volatile.Read(ref _refs);
            if (refs == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _refs, refs + 1, refs) == refs)
            {
                Volatile.Write(ref _lastUsed, System.Diagnostics.Stopwatch.GetTimestamp());
                return true;
            }
        }
    }

    /// <summary>
    /// Drops the manager's reference only when no request holds one (the count goes from 1 to 0 atomically, so no
    /// request can take a reference afterwards), then frees the instances. False, with nothing changed, when a request
    /// holds the version: the lease that keeps an in-flight version from being evicted under it.
    /// </summary>
    public bool TryRetireIdle()
    {
        if (Interlocked.CompareExchange(ref _refs, 0, 1) != 1)
        {
            return false;
        }

        try
        {
            Scheduler.Dispose();
        }
        finally
        {
            _drained.TrySetResult();
        }

        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            try
            {
                Scheduler.Dispose();
            }
            finally
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>A disposable that releases one reference once.</summary>
    public IDisposable Lease() => new VersionLease(this);

    private sealed class VersionLease(LoadedVersion version) : IDisposable
    {
        private LoadedVersion? _version = version;

        public void Dispose() => Interlocked.Exchange(ref _version, null)?.Release();
    }
}
