using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Core.Scheduling;
using Turbine.Core.Sources;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;
using Turbine.Core.Validation;

namespace Turbine.Core;

/// <summary>
/// The engine API every front end calls: health, metadata, configuration, statistics, repository control and
/// inference. Knows nothing about HTTP or gRPC.
/// </summary>
public sealed partial class InferenceEngine : IAsyncDisposable
{
    private readonly ModelManager _manager;
    private readonly Caching.ResponseCache? _cache;
    private readonly ILogger _logger;
    private readonly Payloads.PayloadLog? _payloadLog;
    private readonly IRequestObserver? _requestObserver;
    private readonly IInferenceTap? _tap;
    private readonly CancellationTokenSource _stopping = new();
    private volatile Task? _watcher;
    private int _watching;
    private volatile bool _ready;
    private int _disposed;

    /// <param name="options">Engine settings.</param>
    /// <param name="backends">The backends models run on.</param>
    /// <param name="logger">Where the engine logs.</param>
    /// <param name="payloadLog">The payload log the engine owns, or null.</param>
    /// <param name="source">
    /// Where the models come from; null reads the folder <see cref="EngineOptions.ModelRepository"/>
    /// (<see cref="FolderModelSource"/>, re-read every <see cref="EngineOptions.PollInterval"/> in poll mode). The caller
    /// owns a source it passes (the engine does not dispose it).
    /// </param>
    /// <param name="requestObserver">Told the duration of every inference request once, when it ends (the host's request metrics), or null.</param>
    /// <param name="tap">Sees sampled answered requests and their responses (monitoring), or null.</param>
    public InferenceEngine(EngineOptions options, IReadOnlyList<IBackend> backends, ILogger logger, Payloads.PayloadLog? payloadLog = null,
        IModelSource? source = null, IRequestObserver? requestObserver = null, IInferenceTap? tap = null)
    {
        var problems = options.FileLimits.Validate().Concat(options.SharedMemory.Validate()).ToList();
        if (options.LoadTimeout <= TimeSpan.Zero)
        {
            problems.Add("--model-load-timeout-secs must be positive");
        }

        if (source is null && options.ControlMode == ModelControlMode.Poll && options.PollInterval <= TimeSpan.Zero)
        {
            problems.Add("--repository-poll-secs must be positive");
        }

        if (options.ModelMemoryBudget < 0)
        {
            problems.Add("--model-memory-budget must not be negative (0 = no budget)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        Options = options;
        _logger = logger;
        _payloadLog = payloadLog;
        _requestObserver = requestObserver;
        _tap = tap;
        SharedMemory = new global::Turbine.Core.SharedMemory.SharedMemoryManager(options.SharedMemory, logger);
        _cache = options.ResponseCacheBytes > 0 ? new Caching.ResponseCache(options.ResponseCacheBytes) : null;
        source ??= new FolderModelSource(options.ModelRepository, options.ControlMode == ModelControlMode.Poll ? options.PollInterval : null, options.TimeProvider, options.ModelName);
        _manager = new ModelManager(source, backends, options.TimeProvider, logger, _cache is not null, options.FileLimits, options.LoadTimeout);
        _manager.StepRunner = this;
        _manager.Engine = this;
        _manager.GraphRandom = options.GraphRandom;
        if (options.ModelMemoryBudget > 0)
        {
            _manager.Budget = new Memory.MemoryBudget(_manager, options.ModelMemoryBudget, options.LoadTimeout, options.TimeProvider, logger);
        }
        Metadata = new ServerMetadata(options.ServerName,
            typeof(InferenceEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0",
            ServerMetadata.ImplementedExtensions);
    }

    public EngineOptions Options { get; }

    public ServerMetadata Metadata { get; }

    internal ModelManager Models => _manager;

    /// <summary>The system shared memory regions clients registered (Triton's shared memory extension).</summary>
    public global::Turbine.Core.SharedMemory.SharedMemoryManager SharedMemory { get; }

    /// <summary>The server-wide response cache, or null when it is off.</summary>
    internal Caching.ResponseCache? Cache => _cache;

    /// <summary>The payload log (owned by the engine, flushed and disposed with it), or null when no sink is configured.</summary>
    public Payloads.PayloadLog? PayloadLog => _payloadLog;

    public bool IsLive => !_stopping.IsCancellationRequested || _ready;

    /// <summary>
    /// Up, not stopping, and (with <see cref="EngineOptions.StrictReadiness"/>) every model meant to load is READY
    /// (<see cref="ModelManager.NotReadyModels"/> is empty).
    /// </summary>
    public bool IsReady => _ready && !_stopping.IsCancellationRequested && (!Options.StrictReadiness || _manager.NotReadyModels().Count == 0);

    /// <summary>Where the models come from.</summary>
    public IModelSource Source => _manager.Source;

    /// <summary>
    /// Starts the model source (<see cref="IModelSource.StartAsync"/>), then loads the start-up models per the control
    /// mode: every model the source offers, or in explicit mode those named (<c>*</c> = all). Following the source's
    /// changes begins with <see cref="StartWatching"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var source = _manager.Source;
        await source.StartAsync(_manager, cancellationToken).ConfigureAwait(false);
        IEnumerable<string> toLoad = Options.ControlMode switch
        {
            ModelControlMode.Explicit when Options.StartupModels.Contains("*") => source.ListModels(),
            ModelControlMode.Explicit => Options.StartupModels,
            // Under a memory budget models load on their first request; the pinned ones load now.
            _ when _manager.Budget is { } budget => source.ListModels().Where(budget.IsPinnedInSource),
            _ => source.ListModels(),
        };
        foreach (var model in toLoad.Distinct(StringComparer.Ordinal))
        {
            await _manager.LoadAsync(model, null, cancellationToken).ConfigureAwait(false);
        }

        _ready = true;
    }

    /// <summary>
    /// Starts following the model source's changes (<see cref="IModelSource.WatchAsync"/>: the folder poll in poll mode,
    /// a registry's polling) until <see cref="StopAsync"/>; the host calls it once it serves. Calling it again does nothing.
    /// </summary>
    public void StartWatching()
    {
        if (_stopping.IsCancellationRequested || Interlocked.Exchange(ref _watching, 1) != 0)
        {
            return;
        }

        _watcher = WatchAsync(_stopping.Token);
    }

    /// <summary>Stops accepting new work (readiness turns false) and stops following the model source.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _manager.StopLoading();
        if (_watcher is { } watcher)
        {
            try
            {
                await watcher.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        await _manager.DisposeAsync().ConfigureAwait(false);
        SharedMemory.Dispose();
        if (_payloadLog is not null)
        {
            await _payloadLog.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    public bool IsModelReady(string model, long? version)
    {
        var serving = _manager.Serving(model);
        return version is { } v ? serving.Any(s => s.Version == v) : !serving.IsEmpty;
    }

    /// <summary>
    /// Readiness as Triton answers it: ready or not for a model (version) the server knows, Triton's unknown-model
    /// error (INVALID_ARG) for a name it does not know and its NOT_FOUND for a version the model never had.
    /// </summary>
    public Result<bool> GetModelReadiness(string model, long? version)
    {
        if (IsModelReady(model, version))
        {
            return Result<bool>.Ok(true);
        }

        var acquired = _manager.Acquire(model, version);
        if (acquired.IsOk)
        {
            // Became ready between the two looks.
            acquired.Value.Release();
            return Result<bool>.Ok(true);
        }

        // A model of the repository that was never loaded (explicit mode) is known here, just not ready.
        return acquired.Error.Code is StatusCode.InvalidArgument or StatusCode.NotFound && !(version is null && _manager.Source.Contains(model))
            ? acquired.Error
            : Result<bool>.Ok(false);
    }

    public Result<ModelMetadata> GetModelMetadata(string model, long? version)
    {
        var acquired = _manager.Acquire(model, version);
        if (!acquired.IsOk)
        {
            return acquired.Error;
        }

        try
        {
            var config = acquired.Value.Config;
            var versions = version is { } v
                ? [v.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                : _manager.Serving(model).Select(s => s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var batch = config.MaxBatchSize > 0;
            return Result<ModelMetadata>.Ok(new ModelMetadata(
                config.Name,
                versions,
                config.Platform,
                config.Inputs.Select(i => new TensorMetadata(i.Name, i.DataType.ToWireName(), WithBatch(batch, i.Dims))).ToList(),
                config.Outputs.Select(o => new TensorMetadata(o.Name, o.DataType.ToWireName(), WithBatch(batch, o.Dims))).ToList()));
        }
        finally
        {
            acquired.Value.Release();
        }
    }

    public Result<ModelConfig> GetModelConfig(string model, long? version)
    {
        var acquired = _manager.Acquire(model, version);
        if (!acquired.IsOk)
        {
            return acquired.Error;
        }

        acquired.Value.Release();
        return Result<ModelConfig>.Ok(acquired.Value.Config);
    }

    /// <summary>Statistics of one model's serving versions, or of every serving model when the name is empty.</summary>
    public Result<IReadOnlyList<ModelStatisticsSnapshot>> GetStatistics(string? model, long? version)
    {
        IEnumerable<LoadedVersion> versions;
        if (string.IsNullOrEmpty(model))
        {
            versions = _manager.AllServing();
        }
        else
        {
            var serving = _manager.Serving(model);
            if (serving.IsEmpty)
            {
                // Triton's statistics texts (TRITONSERVER_ServerModelStatistics), INVALID_ARG for both.
                return _manager.Source.Contains(model)
                    ? InferenceError.Unavailable($"model '{model}' is not ready")
                    : InferenceError.InvalidArgument($"requested model '{model}' is not available");
            }

            versions = version is { } v ? serving.Where(s => s.Version == v) : serving;
            if (!versions.Any())
            {
                return InferenceError.InvalidArgument($"requested model version is not available for model '{model}'");
            }
        }

        return Result<IReadOnlyList<ModelStatisticsSnapshot>>.Ok(versions
            .OrderBy(v => v.Config.Name, StringComparer.Ordinal).ThenBy(v => v.Version)
            .Select(v => v.Statistics.Snapshot(v.Config.Name, v.Version))
            .ToList());
    }

    public IReadOnlyList<RepositoryIndexEntry> GetRepositoryIndex(bool readyOnly) => _manager.Index(readyOnly);

    /// <summary>Repository API load: only in explicit mode, as in Triton.</summary>
    public Task<InferenceError?> LoadModelAsync(string model, string? configJson, CancellationToken cancellationToken) =>
        LoadModelAsync(model, configJson, null, cancellationToken);

    /// <summary>Loads a model, from the files of a <c>file:</c> override when <paramref name="files"/> is not empty (explicit mode only).</summary>
    public Task<InferenceError?> LoadModelAsync(string model, string? configJson, IReadOnlyList<Repository.ModelFileOverride>? files, CancellationToken cancellationToken)
    {
        if (Options.ControlMode != ModelControlMode.Explicit)
        {
            return Task.FromResult<InferenceError?>(InferenceError.Unsupported(
                $"explicit model load / unload is not allowed in model control mode '{Options.ControlMode.ToString().ToLowerInvariant()}'; start the server with --model-control-mode explicit"));
        }

        return _manager.LoadAsync(model, configJson, files, cancellationToken);
    }

    public Task<InferenceError?> UnloadModelAsync(string model, CancellationToken cancellationToken) =>
        UnloadModelAsync(model, unloadDependents: false, cancellationToken);

    /// <summary>
    /// Unloads a model; with <paramref name="unloadDependents"/> (Triton's <c>unload_dependents</c>) an ensemble's
    /// composing models are unloaded too, except those another loaded ensemble still uses.
    /// </summary>
    /// <param name="model">The model to unload.</param>
    /// <param name="unloadDependents">Also unload the composing models of an ensemble.</param>
    /// <param name="cancellationToken">Cancels the wait for the model's lock.</param>
    public Task<InferenceError?> UnloadModelAsync(string model, bool unloadDependents, CancellationToken cancellationToken)
    {
        if (Options.ControlMode != ModelControlMode.Explicit)
        {
            return Task.FromResult<InferenceError?>(InferenceError.Unsupported(
                $"explicit model load / unload is not allowed in model control mode '{Options.ControlMode.ToString().ToLowerInvariant()}'; start the server with --model-control-mode explicit"));
        }

        return unloadDependents ? _manager.UnloadWithDependentsAsync(model, cancellationToken) : _manager.UnloadAsync(model, cancellationToken);
    }

    private static long[] WithBatch(bool batch, System.Collections.Immutable.ImmutableArray<long> dims) =>
        batch ? [-1, .. dims] : [.. dims];

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await _manager.Source.WatchAsync(_manager, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EngineLog.PollFailed(_logger, e);
        }
    }
}
