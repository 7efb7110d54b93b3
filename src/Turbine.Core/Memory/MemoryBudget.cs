using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Telemetry;

namespace Turbine.Core.Memory;

/// <summary>
/// The model memory budget (<c>--model-memory-budget</c>): models load on their first request (concurrent first
/// requests share one load), every load first makes room by unloading idle versions least recently used first, a
/// version with requests in flight is never unloaded under them, pinned versions stay, and a model bigger than the whole
/// budget is refused with RESOURCE_EXHAUSTED. Loads through the budget are serialized (one gate), which also keeps each
/// load's measured footprint free of the other loads' growth.
/// </summary>
#pragma warning disable CA1001 // the gate is a SemaphoreSlim whose wait handle is never asked for: nothing to free, and loads abandoned at shutdown may still release it
internal sealed class MemoryBudget
#pragma warning restore CA1001
{
    private static readonly TimeSpan s_idlePoll = TimeSpan.FromMilliseconds(2);

    private readonly ConcurrentDictionary<string, Lazy<Task<InferenceError?>>> _onDemand = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _known = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ModelManager _manager;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _loads;
    private long _coldLoads;
    private long _evictions;
    private long _rejections;

    public MemoryBudget(ModelManager manager, long budgetBytes, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _manager = manager;
        BudgetBytes = budgetBytes;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    public long BudgetBytes { get; }

    /// <summary>Cold-load waits, seconds (1 ms … 60 s).</summary>
    public Histogram ColdLoadSeconds { get; } = new(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

    public MemoryBudgetStatistics Snapshot()
    {
        long resident = 0, pinned = 0;
        foreach (var v in _manager.AllServing())
        {
            var bytes = v.Footprint.AccountedBytes;
            resident += bytes;
            pinned += v.Pinned ? bytes : 0;
        }

        return new MemoryBudgetStatistics(BudgetBytes, resident, pinned, Interlocked.Read(ref _loads), Interlocked.Read(ref _coldLoads),
            Interlocked.Read(ref _evictions), Interlocked.Read(ref _rejections), ColdLoadSeconds);
    }

    /// <summary>
    /// Loads the model for a request that found it not loaded; concurrent callers for one model share one load (single
    /// flight). The caller's token stops its wait, not the shared load (bounded by the load timeout).
    /// </summary>
    public async Task<InferenceError?> EnsureLoadedAsync(string model, CancellationToken cancellationToken)
    {
        var lazy = _onDemand.GetOrAdd(model, static (m, self) => new Lazy<Task<InferenceError?>>(() => self.ColdLoadAsync(m)), this);
        return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<InferenceError?> ColdLoadAsync(string model)
    {
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        try
        {
            Interlocked.Increment(ref _coldLoads);
            var error = await _manager.LoadAsync(model, null, CancellationToken.None).ConfigureAwait(false);
            if (error is not null)
            {
                // A request asked for it, nobody else did: a model that fails to load on demand does not make the
                // server unready (strict readiness) and is not re-read by the poll; the next request tries again.
                _manager.ForgetFailedLoad(model);
            }

            return error;
        }
        finally
        {
            ColdLoadSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _onDemand.TryRemove(model, out _);
        }
    }

    /// <summary>
    /// Runs one load of <paramref name="model"/> (any caller: on demand, repository API, poll, registry) inside the budget:
    /// makes room for its expected size first, refuses a model bigger than the budget, and afterwards charges what it
    /// measured, unloading the model again when that alone exceeds the budget.
    /// </summary>
    public async Task<InferenceError?> LoadAsync(string model, Func<Task<InferenceError?>> load, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            return Reject(InferenceError.Unavailable($"failed to load '{model}': other loads held the memory budget for longer than the load timeout ({_timeout.TotalSeconds:0.###} s)"));
        }

        try
        {
            var estimate = Estimate(model, out var how);
            if (estimate > BudgetBytes)
            {
                return Reject(TooBig(model, estimate, how));
            }

            var room = await MakeRoomAsync(model, estimate, cancellationToken).ConfigureAwait(false);
            if (room is not null)
            {
                return Reject(room);
            }

            var error = await load().ConfigureAwait(false);
            Interlocked.Increment(ref _loads);
            var serving = _manager.Serving(model);
            var size = serving.Sum(v => v.Footprint.AccountedBytes);
            if (size > 0)
            {
                _known[model] = size;
            }

            if (size > BudgetBytes)
            {
                var tooBig = TooBig(model, size, "as measured by this load");
                await _manager.RejectAsync(model, tooBig.Message, cancellationToken).ConfigureAwait(false);
                return Reject(tooBig);
            }

            // The estimate was low: make room after the fact (idle versions only, no waiting).
            await EvictUntilAsync(model, 0, wait: false, cancellationToken).ConfigureAwait(false);
            return error;
        }
        finally
        {
            _gate.Release();
        }
    }

    private InferenceError Reject(InferenceError error)
    {
        Interlocked.Increment(ref _rejections);
        ManagerLog.LoadFailed(_logger, "(memory budget)", error.Message);
        return error;
    }

    private InferenceError TooBig(string model, long bytes, string how) => new(StatusCode.ResourceExhausted,
        $"failed to load '{model}': it needs {bytes} bytes ({how}), more than the whole model memory budget of {BudgetBytes} bytes (--model-memory-budget)");

    /// <summary>What a load of the model is expected to cost: its last measured size, else the bytes of its files.</summary>
    private long Estimate(string model, out string how)
    {
        var serving = _manager.Serving(model);
        how = "as measured at its last load";
        if (!serving.IsEmpty)
        {
            // A reload: the new versions replace these, so they need no extra room beyond what they hold now.
            return 0;
        }

        if (_known.TryGetValue(model, out var known))
        {
            return known;
        }

        var located = _manager.Source.Locate(model);
        if (!located.IsOk)
        {
            how = "";
            return 0;
        }

        var declared = DeclaredInSource(located.Value);
        how = declared > 0 ? "declared by its memory_bytes parameter" : "the size of its files";
        return declared > 0 ? declared : ProcessMemory.FolderBytes(located.Value.Repository.ModelPath(model));

        long DeclaredInSource(Sources.ModelSourceLocation location)
        {
            var config = ReadConfig(model, location);
            return config is null ? 0 : ModelManager.DeclaredBytes(config);
        }
    }

    /// <summary>The model's configuration as the source gives it (the registry's JSON or the folder's config.pbtxt), or null.</summary>
    internal ModelConfig? ReadConfig(string model, Sources.ModelSourceLocation location)
    {
        try
        {
            if (location.ConfigJson is { } json)
            {
                return ModelConfigJson.Parse(json, model);
            }

            var path = location.Repository.ConfigPath(model);
            var info = new FileInfo(path);
            if (!info.Exists || info.LinkTarget is not null || info.Length > _manager.FileLimits.ConfigBytes)
            {
                return null;
            }

            return ModelConfigText.Parse(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is ModelConfigException or IOException or UnauthorizedAccessException or InferenceException)
        {
            return null;
        }
    }

    /// <summary>True when the source's configuration of the model pins it (loaded at start-up under a budget).</summary>
    public bool IsPinnedInSource(string model)
    {
        var located = _manager.Source.Locate(model);
        return located.IsOk && ReadConfig(model, located.Value) is { } config
            && config.Parameters.TryGetValue("pinned", out var pinned) && string.Equals(pinned.Trim(), "true", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<InferenceError?> MakeRoomAsync(string model, long need, CancellationToken cancellationToken) =>
        await EvictUntilAsync(model, need, wait: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Unloads idle, unpinned versions of other models, least recently used first, until <paramref name="need"/> more
    /// bytes fit; with <paramref name="wait"/>, waits (up to the load timeout) for versions in use to become idle.
    /// </summary>
    private async Task<InferenceError?> EvictUntilAsync(string model, long need, bool wait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(_timeout.TotalSeconds * _time.TimestampFrequency);
        var busy = new HashSet<LoadedVersion>();
        while (true)
        {
            long resident = 0, pinned = 0, inUse = 0;
            LoadedVersion? victim = null;
            foreach (var v in _manager.AllServing())
            {
                var bytes = v.Footprint.AccountedBytes;
                resident += bytes;
                if (v.Pinned)
                {
                    pinned += bytes;
                }
                else if (bytes > 0 && v.Config.Name != model && !busy.Contains(v))
                {
                    if (v.InFlight > 0)
                    {
                        inUse += bytes;
                    }
                    else if (victim is null || v.LastUsed < victim.LastUsed)
                    {
                        victim = v;
                    }
                }
            }

            if (resident + need <= BudgetBytes)
            {
                return null;
            }

            if (pinned + need > BudgetBytes)
            {
                return new InferenceError(StatusCode.ResourceExhausted,
                    $"failed to load '{model}': it needs {need} bytes and pinned models hold {pinned} of the {BudgetBytes}-byte model memory budget");
            }

            if (victim is not null)
            {
                if (await _manager.TryEvictAsync(victim, $"evicted: least recently used idle version, to make room for '{model}' within the model memory budget").ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _evictions);
                }
                else
                {
                    // Taken by a request or its model's lock is busy: try the next one, this one again after a pause.
                    busy.Add(victim);
                }

                continue;
            }

            if (!wait)
            {
                return null;
            }

            if (_time.GetTimestamp() >= deadline)
            {
                return new InferenceError(StatusCode.ResourceExhausted,
                    $"failed to load '{model}': it needs {need} bytes, the model memory budget of {BudgetBytes} bytes holds {resident} and versions with requests in flight ({inUse} bytes) did not become idle within {_timeout.TotalSeconds:0.###} s");
            }

            busy.Clear();
            await Task.Delay(s_idlePoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
