using Turbine.Core;
using Turbine.Core.Lifecycle;

namespace Turbine.Server;

/// <summary>Settings of <c>turbine serve</c>. Defaults match Triton's where Triton has one.</summary>
public sealed record ServerOptions
{
    /// <summary>
    /// The engine's settings (repository, control mode, start-up models, poll interval, response cache, file limits,
    /// shared memory, load timeout, strict readiness, and the identity in <c>GET /v2</c>: <c>--id</c> is
    /// <see cref="EngineOptions.ServerName"/>, 1 to <see cref="MaxServerIdLength"/> printable ASCII characters).
    /// With <see cref="Registry"/> set the server overrides the repository, control mode and start-up models.
    /// </summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>Longest <see cref="EngineOptions.ServerName"/> accepted.</summary>
    public const int MaxServerIdLength = 128;

    /// <summary>Address to bind; default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port; 0 picks a free port. Default 8000.</summary>
    public int HttpPort { get; init; } = 8000;

    /// <summary>gRPC port (HTTP/2; cleartext unless a certificate is configured); 0 picks a free port. Default 8001.</summary>
    public int GrpcPort { get; init; } = 8001;

    /// <summary>Metrics port (Prometheus <c>GET /metrics</c>); 0 picks a free port. Default 8002.</summary>
    public int MetricsPort { get; init; } = 8002;

    /// <summary>Largest accepted request body (after decompression), in bytes; larger gets 413. Default 1 GiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Server-wide budget of request-body bytes in flight (REST bodies as they are buffered or inflated, gRPC inference
    /// messages with their converted tensors); a request that does not fit gets 503 / RESOURCE_EXHAUSTED. Null = half
    /// of the memory the GC may use (its hard limit when set), at most 2 GiB and at least 64 MiB.
    /// </summary>
    public long? MaxInflightBodyBytes { get; init; }

    /// <summary>
    /// Responses not yet written that one <c>ModelStreamInfer</c> stream may have (requests running plus responses the
    /// client has not read); at the limit the server stops reading that stream's requests. Default 64.
    /// </summary>
    public int GrpcStreamMaxPending { get; init; } = 64;

    /// <summary>
    /// Largest gRPC message received or sent, in bytes. Default 2 GiB - 1 (the protocol's limit); messages received
    /// are also bounded by <see cref="MaxRequestBodyBytes"/>.
    /// </summary>
    public int GrpcMaxMessageBytes { get; init; } = int.MaxValue;

    /// <summary>PEM certificate for gRPC over TLS; with <see cref="GrpcTlsKeyPath"/>. Null = cleartext HTTP/2.</summary>
    public string? GrpcTlsCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="GrpcTlsCertificatePath"/>.</summary>
    public string? GrpcTlsKeyPath { get; init; }

    /// <summary>OTLP collector to export spans to (gRPC, or HTTP/protobuf when the path ends in <c>/v1/traces</c>); null = no export.</summary>
    public Uri? TraceOtlpEndpoint { get; init; }

    /// <summary>Share of new traces sampled, 0..1 (a caller's sampled flag is followed). Default 1.</summary>
    public double TraceSamplingRate { get; init; } = 1.0;

    /// <summary>
    /// Triton's <c>--exit-on-error</c>: when a model meant to load at start-up fails, start-up fails
    /// (<see cref="StartupModelsFailedException"/>; the CLI exits 1) instead of serving the others. Default false
    /// (Triton's default is true; docs/configuration.md says why).
    /// </summary>
    public bool ExitOnError { get; init; }

    /// <summary>Console log format: text lines or one JSON object per message. Default text.</summary>
    public Logging.LogFormat LogFormat { get; init; } = Logging.LogFormat.Text;

    /// <summary>How long SIGTERM waits for in-flight requests before exiting. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Folder for payload-log JSON-lines files; null = no file sink. Models opt in with the <c>payload_log</c> parameter.</summary>
    public string? PayloadLogDirectory { get; init; }

    /// <summary>A payload-log file is rotated before it passes this size. Default 100 MiB.</summary>
    public long PayloadLogMaxFileBytes { get; init; } = 100L << 20;

    /// <summary>Payload-log files kept (oldest deleted). Default 10.</summary>
    public int PayloadLogMaxFiles { get; init; } = 10;

    /// <summary>Collector that receives payload records as batched CloudEvents (HTTP POST); null = none.</summary>
    public Uri? PayloadLogUrl { get; init; }

    /// <summary>
    /// Model monitoring (docs/monitoring.md), composed by the host; null = off. When set, it is the engine's tap (requests
    /// of monitored models are sampled and copied on the request path, nothing else is), the HTTP port serves the
    /// monitoring API, <c>/metrics</c> includes the monitoring metrics, and a server serving from the registry monitors
    /// each version against the reference profile stored with it. The host owns and disposes it.
    /// </summary>
    public Turbine.Monitoring.Online.MonitoringService? Monitoring { get; init; }

    /// <summary>
    /// Serve models from a model registry instead of a repository folder (<c>--registry</c>); null = off. When set,
    /// the engine serves the registry cache's materialized repository in explicit mode and <see cref="EngineOptions.ModelRepository"/> is not read.
    /// </summary>
    public Registry.RegistryServingOptions? Registry { get; init; }

    /// <summary>
    /// Bearer token that management calls (repository load/unload, <c>/v2/logging</c>) must present as
    /// <c>Authorization: Bearer &lt;token&gt;</c> (gRPC: <c>authorization</c> metadata); null = none. At least
    /// <see cref="MinManagementTokenLength"/> printable ASCII characters, no spaces.
    /// </summary>
    public string? ManagementToken { get; init; }

    /// <summary>
    /// <see cref="Security.ManagementAuthMode.Auto"/> (default): the token when one is set, else management only while bound to
    /// loopback (403 otherwise). <see cref="Security.ManagementAuthMode.None"/>: no authentication (warned at start).
    /// </summary>
    public Security.ManagementAuthMode ManagementAuth { get; init; } = Security.ManagementAuthMode.Auto;

    /// <summary>Shortest management token accepted.</summary>
    public const int MinManagementTokenLength = 16;

    /// <summary>Why <paramref name="id"/> cannot be a server identity, or null when it can.</summary>
    public static string? ValidateServerId(string? id) =>
        string.IsNullOrEmpty(id) ? "the server id (--id) must not be empty"
        : id.Length > MaxServerIdLength ? $"the server id (--id) must be at most {MaxServerIdLength} characters, got {id.Length}"
        : id.Any(c => c is < ' ' or > '~') ? "the server id (--id) must be printable ASCII (letters, digits, punctuation, spaces)"
        : null;

    /// <summary>The problems with these options (empty when valid): <see cref="ServerOptionsValidator"/>'s rules, checked by <see cref="TurbineServer.StartAsync"/>.</summary>
    public IReadOnlyList<string> Validate() => ServerOptionsValidator.Problems(this);

    /// <summary>
    /// The engine settings the server runs with: <see cref="Engine"/>, except that serving from a registry means the
    /// registry cache's materialized repository in explicit mode, with the registry sync deciding what loads.
    /// </summary>
    internal EngineOptions EffectiveEngine() => Registry is null
        ? Engine
        : Engine with { ModelRepository = Registry.RepositoryDirectory, ControlMode = ModelControlMode.Explicit, StartupModels = [] };
}
