using Turbine.Core.Lifecycle;

namespace Turbine.Core;

/// <summary>Engine settings (what <c>turbine serve</c> flags set).</summary>
public sealed record EngineOptions
{
    /// <summary>The server's name in the protocol's server metadata (<c>GET /v2</c>, ServerMetadata); default <c>turbine</c>.</summary>
    public string ServerName { get; init; } = "turbine";

    /// <summary>The model repository folder (required); read by the default folder model source, not when the engine is given another source.</summary>
    public required string ModelRepository { get; init; }

    /// <summary>
    /// The name the model is served under when <see cref="ModelRepository"/> is one model (a model folder, or an
    /// <c>.onnx</c> file: <see cref="Repository.ModelRepository.Open"/>); null: the folder's name or the file's name
    /// without <c>.onnx</c>. Not used for a Triton repository. KServe's runtime passes the InferenceService's name.
    /// </summary>
    public string? ModelName { get; init; }

    /// <summary>How models get loaded; default <see cref="ModelControlMode.None"/> (everything at start).</summary>
    public ModelControlMode ControlMode { get; init; } = ModelControlMode.None;

    /// <summary>Models loaded at start in explicit mode; <c>*</c> loads all.</summary>
    public IReadOnlyList<string> StartupModels { get; init; } = [];

    /// <summary>Poll interval in poll mode; default 15 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Size of the server-wide response cache in bytes, shared by models with <c>response_cache { enable: true }</c>;
    /// 0 turns the cache off. Default 256 MiB.
    /// </summary>
    public long ResponseCacheBytes { get; init; } = 256L << 20;

    /// <summary>The largest file of each kind a model folder may hold (labels, warmup data, ...); see <see cref="Repository.ModelFileLimits"/>.</summary>
    public Repository.ModelFileLimits FileLimits { get; init; } = new();

    /// <summary>
    /// How long one model load (config, sessions, warmup) may take; past it the load is abandoned (it never swaps in),
    /// the load answers 503 and whatever served before keeps serving. Default 120 s.
    /// </summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The model memory budget in bytes (<c>--model-memory-budget</c>); 0 (default) has none. With one, models load on
    /// their first request and idle versions are unloaded least recently used first to keep the loaded versions'
    /// measured footprints within it (docs/memory.md).
    /// </summary>
    public long ModelMemoryBudget { get; init; }

    /// <summary>Bounds on client-registered system shared memory regions (<c>--max-shm-regions</c>, <c>--max-shm-bytes</c>).</summary>
    public global::Turbine.Core.SharedMemory.SharedMemoryLimits SharedMemory { get; init; } = new();
    /// <summary>
    /// Triton's <c>--strict-readiness</c>: when true (the default) the server is ready only while every model meant to
    /// load (at start-up, or by a load since, and not unloaded) has a version READY; when false it is ready once it is up.
    /// </summary>
    public bool StrictReadiness { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The random source of routing graphs' Splitter nodes (seed it in tests); default <see cref="Random.Shared"/>.</summary>
    public Random GraphRandom { get; init; } = Random.Shared;
}
