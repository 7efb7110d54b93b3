using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Repository;
using Turbine.Core.Scheduling;
using Turbine.Core.Sources;
using Turbine.Core.Stats;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// Owns model lifecycle: loads versions per the version policy, swaps new versions in atomically, keeps the
/// previous versions serving when a load fails, and releases old versions after their requests drain.
/// Control operations on one model are serialized; requests never take a lock.
/// </summary>
internal sealed partial class ModelManager : IAsyncDisposable, IModelSourceSink
{
    private readonly ConcurrentDictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private readonly IModelSource _source;
    private readonly ModelConfigLoader _loader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _responseCacheEnabled;
    private readonly TimeSpan _loadTimeout;
#pragma warning disable CA2213 // never disposed on purpose: loads abandoned at shutdown still read it on their own threads after DisposeAsync, and a CancellationTokenSource without a timer or wait handle holds nothing to free
    private readonly CancellationTokenSource _disposing = new();
#pragma warning restore CA2213
    private readonly ModelOverrideFolders _overrides;

    public ModelManager(IModelSource source, IReadOnlyList<IBackend> backends, TimeProvider time, ILogger logger, bool responseCacheEnabled = true, ModelFileLimits? fileLimits = null, TimeSpan? loadTimeout = null)
    {
        _loadTimeout = loadTimeout ?? TimeSpan.FromSeconds(120);
        _responseCacheEnabled = responseCacheEnabled;
        _source = source;
        FileLimits = fileLimits ?? new ModelFileLimits();
        _loader = new ModelConfigLoader(backends, FileLimits);
        _overrides = new ModelOverrideFolders(FileLimits);
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the models come from.</summary>
    public IModelSource Source => _source;

    /// <summary>Runs graph steps on loaded models (the engine); graphs cannot load without it.</summary>
    public Graphs.IStepRunner? StepRunner { get; set; }

    /// <summary>The random source of routing graphs' Splitter nodes.</summary>
    public Random GraphRandom { get; set; } = Random.Shared;

    /// <summary>Where <c>file:</c> override loads are written.</summary>
    internal ModelOverrideFolders Overrides => _overrides;

    /// <summary>The limits model files are read under.</summary>
    public ModelFileLimits FileLimits { get; }

    /// <summary>
    /// Takes a reference on the version a request should run on: the asked version if it is serving, else the
    /// newest serving version. The caller must <see cref="LoadedVersion.Release"/> it.
    /// </summary>
    public Result<LoadedVersion> Acquire(string model, long? version)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            if (!_models.TryGetValue(model, out var entry))
            {
                return InferenceError.UnknownModel(model);
            }

            var state = entry.State;
            LoadedVersion? chosen = null;
            if (version is { } v)
            {
                foreach (var s in state.Serving)
                {
                    if (s.Version == v)
                    {
                        chosen = s;
                    }
                }

                if (chosen is null)
                {
                    if (state.Statuses.TryGetValue(v, out var st))
                    {
                        return InferenceError.Unavailable($"model '{model}' version {v} is not ready{ReasonSuffix(st)}");
                    }

                    return SourceFolder(model) is { } folder && Directory.Exists(folder.VersionPath(model, v))
                        ? InferenceError.Unavailable($"model '{model}' version {v} is not ready (not loaded: the version policy does not select it)")
                        : InferenceError.UnknownVersion(model, v);
                }
            }
            else if (!state.Serving.IsEmpty)
            {
                chosen = state.Serving[^1];
            }
            else
            {
                return InferenceError.Unavailable($"model '{model}' is not ready{(state.ModelReason.Length > 0 ? ": " + state.ModelReason : "")}");
            }

            if (chosen.TryAcquire())
            {
                return Result<LoadedVersion>.Ok(chosen);
            }

            // Lost a race with an unload or swap: read the new state and try again.
        }

        return InferenceError.Unavailable($"model '{model}' is being reloaded; retry");
    }

    /// <summary>The serving versions of a model (ascending), or empty.</summary>
    public ImmutableArray<LoadedVersion> Serving(string model) =>
        _models.TryGetValue(model, out var entry) ? entry.State.Serving : [];

    /// <summary>All serving versions of all models.</summary>
    public IEnumerable<LoadedVersion> AllServing() => _models.Values.SelectMany(e => e.State.Serving);

    /// <summary>Every model version the manager knows with its status (for the model-state metric); no disk access.</summary>
    public IEnumerable<(string Model, VersionStatus Status)> AllStatuses() =>
        _models.SelectMany(kv => kv.Value.State.Statuses.Values.Select(s => (kv.Key, s)));

    /// <summary>
    /// True when the manager has an entry for the model (it was loaded, or a load was tried, from the repository):
    /// the names a request can name without making the server keep something per name.
    /// </summary>
    public bool IsKnown(string model) => _models.ContainsKey(model);

    /// <summary>
    /// The models meant to be loaded (asked to load at start-up or since, and not unloaded) that have no version
    /// serving, each with the reason its load gave; empty when every such model is READY. Strict readiness reads it.
    /// </summary>
    public IReadOnlyList<(string Model, string Reason)> NotReadyModels()
    {
        List<(string, string)>? missing = null;
        foreach (var entry in _models.Values)
        {
            var state = entry.State;
            if (!entry.Wanted || !state.Serving.IsEmpty)
            {
                continue;
            }

            var reason = state.ModelReason.Length > 0 ? state.ModelReason
                : state.Statuses.Values.Select(s => s.Reason).FirstOrDefault(r => r.Length > 0) ?? "not loaded";
            (missing ??= []).Add((entry.Name, reason));
        }

        return missing is null ? [] : [.. missing.OrderBy(m => m.Item1, StringComparer.Ordinal)];
    }

    /// <summary>Status of a model version, or null when the manager never saw it.</summary>
    public VersionStatus? GetStatus(string model, long version) =>
        _models.TryGetValue(model, out var entry) && entry.State.Statuses.TryGetValue(version, out var s) ? s : null;

    /// <summary>The repository index: every model the source offers and every version the manager knows.</summary>
    public IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly)
    {
        var names = new SortedSet<string>(_source.ListModels(), StringComparer.Ordinal);
        names.UnionWith(_models.Keys);
        var rows = new List<RepositoryIndexEntry>();
        foreach (var name in names)
        {
            if (!_models.TryGetValue(name, out var entry) || (entry.State.Statuses.IsEmpty && entry.State.ModelReason.Length == 0))
            {
                if (!readyOnly)
                {
                    rows.Add(new RepositoryIndexEntry(name, null, null, ""));
                }

                continue;
            }

            var state = entry.State;
            if (state.Statuses.IsEmpty)
            {
                if (!readyOnly)
                {
                    rows.Add(new RepositoryIndexEntry(name, null, ModelReadyState.Unavailable, state.ModelReason));
                }

                continue;
            }

            foreach (var status in state.Statuses.Values)
            {
                if (!readyOnly || status.State == ModelReadyState.Ready)
                {
                    var loaded = status.State == ModelReadyState.Ready ? state.Serving.FirstOrDefault(v => v.Version == status.Version) : null;
                    rows.Add(new RepositoryIndexEntry(name, status.Version, status.State, status.Reason)
                    {
                        MemoryBytes = loaded?.Footprint.AccountedBytes,
                        Residency = loaded is null ? null : Residency(loaded),
                    });
                }
            }
        }

        return rows;
    }

    private static string ReasonSuffix(VersionStatus? status) =>
        status is null ? "" : $" (state {status.State.ToString().ToUpperInvariant()}{(status.Reason.Length > 0 ? ": " + status.Reason : "")})";

    /// <summary>
    /// Abandons loads in progress, then unloads every model whose lock is free; a model whose abandoned load is still
    /// stuck is left to the process exit (awaiting it could take forever).
    /// </summary>
    /// <summary>Shutdown has begun: loads in progress are abandoned and new ones refused.</summary>
    public void StopLoading() => _disposing.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        foreach (var entry in _models.Values)
        {
            if (!await entry.ControlLock.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
            {
                ManagerLog.LoadFailed(_logger, entry.Name, "a load abandoned earlier is still running; not unloaded before exit");
                continue;
            }

            entry.ControlLock.Release();
            await UnloadAsync(entry.Name, CancellationToken.None).ConfigureAwait(false);
        }

        _overrides.Dispose();
    }

    /// <summary>The engine that owns this manager, handed to backends in each <see cref="ModelInstanceSpec"/>.</summary>
    internal InferenceEngine? Engine { get; set; }

    private ModelEntry GetEntry(string model) => _models.GetOrAdd(model, static n => new ModelEntry(n));

    private static long ElapsedMs(long startTimestamp) => (long)System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;

    private LoadedVersion LoadVersion(ModelDefinition definition, long version, string fingerprint)
    {
        var config = definition.Config;
        var files = definition.Files;
        // Labels (Triton's label_filename) belong to any model with outputs, an ensemble or a routing graph included: a
        // classification request on the graph's output reads the graph's own labels file.
        var labels = ImmutableDictionary.CreateBuilder<string, IReadOnlyList<string>>();
        foreach (var output in config.Outputs)
        {
            if (output.LabelFilename.Length > 0)
            {
                labels[output.Name] = files.ReadAllLines("", output.LabelFilename, $"output '{output.Name}': label_filename", ModelFileKind.Labels);
            }
        }

        if (definition.Graph is { } graph)
        {
            return LoadEnsembleVersion(config, graph, version, fingerprint, labels.ToImmutable());
        }

        if (definition.RoutingGraph is { } routing)
        {
            return LoadRoutingGraphVersion(config, routing, version, fingerprint, labels.ToImmutable());
        }

        var backend = definition.Backend ?? throw new InferenceException(StatusCode.Internal, $"model '{config.Name}' has no backend");
        var file = definition.ModelFilePath(version);

        var placements = config.InstanceGroups.SelectMany(InstancePlacement.Of).ToList();
        var threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, placements.Count));
        var instances = new List<IModelInstance>();
        var warmup = TimeSpan.Zero;
        try
        {
            foreach (var p in placements)
            {
                instances.Add(backend.CreateInstance(
                    new ModelInstanceSpec(config, file, version, p.InstanceName, p.Kind, p.DeviceId, threads) { Engine = Engine }));
            }

            // READY only after warmup ran on every instance.
            var warmupStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            ModelWarmupRunner.Run(config, files, instances);
            warmup = config.ModelWarmup.IsEmpty ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(warmupStarted);
        }
        catch
        {
            foreach (var instance in instances)
            {
                instance.Dispose();
            }

            throw;
        }

        var statistics = new ModelStatistics(_time);
        return new LoadedVersion(config, version, fingerprint, SchedulerFactory.Create(config, instances, statistics, _time, files), statistics, labels.ToImmutable())
        {
            WarmupDuration = warmup,
        };
    }

    /// <summary>
    /// An ensemble version: checked against the composing models serving now (names, data types, shapes), then
    /// scheduled by an <see cref="Graphs.EnsembleScheduler"/> that runs each step on its model's own scheduler.
    /// </summary>
    private LoadedVersion LoadEnsembleVersion(ModelConfig config, Graphs.EnsembleGraph graph, long version, string fingerprint, ImmutableDictionary<string, IReadOnlyList<string>> labels)
    {
        var runner = StepRunner ?? throw new InferenceException(StatusCode.Internal, $"ensemble '{config.Name}' cannot run without an engine");
        var problems = graph.CheckAgainst(config, ComposingConfig);
        if (problems.Count > 0)
        {
            throw new InferenceException(StatusCode.InvalidArgument, string.Join("; ", problems));
        }

        var scheduler = new Graphs.EnsembleScheduler(graph, runner, (int)config.EnsembleScheduling!.MaxInflightRequests);
        return new LoadedVersion(config, version, fingerprint, scheduler, new ModelStatistics(_time), labels)
        {
            ComposingModels = [.. graph.Steps.Select(s => s.ModelName).Distinct()],
        };
    }

    /// <summary>A routing graph version: every model a step names must be serving; then a <see cref="Graphs.RoutingGraphScheduler"/> runs it.</summary>
    private LoadedVersion LoadRoutingGraphVersion(ModelConfig config, Graphs.RoutingGraph graph, long version, string fingerprint, ImmutableDictionary<string, IReadOnlyList<string>> labels)
    {
        var runner = StepRunner ?? throw new InferenceException(StatusCode.Internal, $"graph '{config.Name}' cannot run without an engine");
        var problems = graph.Models
            .Select(m => (Model: m, Found: ComposingConfig(m, -1)))
            .Where(m => !m.Found.IsOk)
            .Select(m => $"{RoutingGraphFile(config.Name)}: model '{m.Model}' named by a step is not available: {m.Found.Error!.Message}")
            .ToList();
        if (problems.Count > 0)
        {
            throw new InferenceException(StatusCode.InvalidArgument, string.Join("; ", problems));
        }

        var scheduler = new Graphs.RoutingGraphScheduler(graph, runner, GraphRandom);
        return new LoadedVersion(config, version, fingerprint, scheduler, new ModelStatistics(_time), labels)
        {
            ComposingModels = graph.Models,
        };
    }

    private static string RoutingGraphFile(string model) => $"{model}/{Graphs.RoutingGraph.FileName}";

    /// <summary>The config of a serving composing model version (-1 or 0 = the newest serving), or why there is none.</summary>
    private Result<ModelConfig> ComposingConfig(string model, long version)
    {
        var acquired = Acquire(model, version > 0 ? version : null);
        if (!acquired.IsOk)
        {
            return acquired.Error;
        }

        var config = acquired.Value.Config;
        acquired.Value.Release();
        return Result<ModelConfig>.Ok(config);
    }

    private static IReadOnlyList<long> ApplyPolicy(ModelVersionPolicy policy, IReadOnlyList<long> available) => policy.Kind switch
    {
        ModelVersionPolicyKind.All => available,
        ModelVersionPolicyKind.Specific => policy.Versions.Where(available.Contains).Order().ToList(),
        _ => available.Skip(Math.Max(0, available.Count - Math.Max(1, policy.NumVersions))).ToList(),
    };
}
