using Turbine.Core.Lifecycle;

namespace Turbine.Server;

/// <summary>Settings of <c>turbine serve</c>. Defaults match Triton's where Triton has one.</summary>
public sealed record ServerOptions
{
    public required string ModelRepository { get; init; }

    /// <summary>
    /// The server's identity in <c>GET /v2</c> and gRPC ServerMetadata (<c>--id</c>, Triton's <c>--id</c>): 1 to
    /// <see cref="MaxServerIdLength"/> printable ASCII characters. Default <c>turbine</c>.
    /// </summary>
    public string ServerId { get; init; } = "turbine";

    /// <summary>Longest <see cref="ServerId"/> accepted.</summary>
    public const int MaxServerIdLength = 128;

    /// <summary>Address to bind; default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port; 0 picks a free port. Default 8000.</summary>
    public int HttpPort { get; init; } = 8000;

    /// <summary>gRPC port (HTTP/2; cleartext unless a certificate is configured); 0 picks a free port. Default 8001.</summary>
    public int GrpcPort { get; init; } = 8001;

    /// <summary>Metrics port (Prometheus <c>GET /metrics</c>); 0 picks a free port. Default 8002.</summary>
    public int MetricsPort { get; init; } = 8002;

    public ModelControlMode ControlMode { get; init; } = ModelControlMode.None;

    public IReadOnlyList<string> StartupModels { get; init; } = [];

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

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

    /// <summary>Server-wide response cache size in bytes (LRU); 0 = off. Default 256 MiB.</summary>
    public long ResponseCacheBytes { get; init; } = 256L << 20;

    /// <summary>OTLP collector to export spans to (gRPC, or HTTP/protobuf when the path ends in <c>/v1/traces</c>); null = no export.</summary>
    public Uri? TraceOtlpEndpoint { get; init; }

    /// <summary>Share of new traces sampled, 0..1 (a caller's sampled flag is followed). Default 1.</summary>
    public double TraceSamplingRate { get; init; } = 1.0;

    /// <summary>
    /// Triton's <c>--strict-readiness</c>. True (default): <c>/v2/health/ready</c> and gRPC <c>ServerReady</c> answer
    /// not ready while any model meant to load has no READY version, and the start-up line says "not ready" naming
    /// them. False: ready once the server is up, as Triton with <c>--strict-readiness=false</c>.
    /// </summary>
    public bool StrictReadiness { get; init; } = true;

    /// <summary>
    /// Triton's <c>--exit-on-error</c>: when a model meant to load at start-up fails, start-up fails
    /// (<see cref="StartupModelsFailedException"/>; the CLI exits 1) instead of serving the others. Default false
    /// (Triton's default is true; docs/configuration.md says why).
    /// </summary>
    public bool ExitOnError { get; init; }

    /// <summary>Console log format: text lines or one JSON object per message. Default text.</summary>
    public Logging.LogFormat LogFormat { get; init; } = Logging.LogFormat.Text;

    /// <summary>The largest file of each kind a model folder may hold (<c>--max-*-file-bytes</c>); defaults in <see cref="Core.Repository.ModelFileLimits"/>.</summary>
    public Core.Repository.ModelFileLimits FileLimits { get; init; } = new();

    /// <summary>
    /// Bounds on client-registered system shared memory (<c>--max-shm-regions</c> 256, <c>--max-shm-bytes</c> 16 GiB);
    /// defaults in <see cref="Core.SharedMemory.SharedMemoryLimits"/>.
    /// </summary>
    public Core.SharedMemory.SharedMemoryLimits SharedMemory { get; init; } = new();

    /// <summary>How long one model load may take before it is abandoned (<c>--model-load-timeout-secs</c>). Default 120 s.</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(120);

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
    /// Serve models from a model registry instead of a repository folder (<c>--registry</c>); null = off. When set,
    /// the engine serves the registry cache's materialized repository in explicit mode and <see cref="ModelRepository"/> is not read.
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

    /// <summary>The problems with these options (empty when valid); checked by <see cref="TurbineServer.StartAsync"/>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(SharedMemory.Validate());
        if (ValidateServerId(ServerId) is { } idProblem)
        {
            problems.Add(idProblem);
        }

        if (ManagementToken is { } token)
        {
            if (token.Length < MinManagementTokenLength)
            {
                problems.Add($"the management token must be at least {MinManagementTokenLength} characters, got {token.Length}");
            }

            if (token.Any(c => c is <= ' ' or > '~'))
            {
                problems.Add("the management token must be printable ASCII without spaces");
            }

            if (ManagementAuth == Security.ManagementAuthMode.None)
            {
                problems.Add("a management token and --management-auth none contradict each other; give one or the other");
            }
        }

        return problems;
    }
}
