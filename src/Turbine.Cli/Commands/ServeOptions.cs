using System.CommandLine;
using System.Globalization;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Core.SharedMemory;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary>The server flags shared by <c>serve</c> and <c>up</c>.</summary>
internal sealed class ServeOptions
{
    private readonly Option<string> _id = new("--id") { Description = "Server identity in GET /v2 and gRPC ServerMetadata (Triton's --id).", DefaultValueFactory = _ => Defaults.Engine.ServerName };
    private readonly Option<string> _host = HostFlag.Create(Defaults.Host);
    private readonly Option<int> _httpPort = new("--http-port") { Description = "HTTP port (0 = pick a free port).", DefaultValueFactory = _ => Defaults.HttpPort };
    private readonly Option<int> _grpcPort = new("--grpc-port") { Description = "gRPC port (HTTP/2; 0 = pick a free port).", DefaultValueFactory = _ => Defaults.GrpcPort };
    private readonly Option<long> _grpcMax = new("--grpc-max-message-bytes") { Description = "Largest gRPC message received or sent.", DefaultValueFactory = _ => Defaults.GrpcMaxMessageBytes };
    private readonly Option<string?> _grpcCert = new("--grpc-tls-cert") { Description = "PEM certificate: serve gRPC over TLS (with --grpc-tls-key)." };
    private readonly Option<string?> _grpcKey = new("--grpc-tls-key") { Description = "PEM private key of --grpc-tls-cert." };
    private readonly Option<int> _metricsPort = new("--metrics-port") { Description = "Metrics port: Prometheus GET /metrics (0 = pick a free port).", DefaultValueFactory = _ => Defaults.MetricsPort };
    private readonly Option<string> _mode = new("--model-control-mode") { Description = "none | poll | explicit.", DefaultValueFactory = _ => "none" };
    private readonly Option<string[]> _loadModel = new("--load-model") { Description = "Model to load at start in explicit mode (repeatable; * = all).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<int> _pollSecs = new("--repository-poll-secs") { Description = "Poll interval in poll mode, seconds.", DefaultValueFactory = _ => (int)Defaults.Engine.PollInterval.TotalSeconds };
    private readonly Option<long> _maxBody = new("--http-max-body-bytes") { Description = "Largest request body accepted (413 above).", DefaultValueFactory = _ => Defaults.MaxRequestBodyBytes };
    private readonly Option<long?> _maxInflightBody = new("--max-inflight-body-bytes") { Description = "Server-wide budget of request-body bytes in flight, REST and gRPC (503 / RESOURCE_EXHAUSTED above). Default: half the GC heap limit or memory, at most 2 GiB." };
    private readonly Option<int> _grpcStreamPending = new("--grpc-stream-max-pending") { Description = "Responses not yet written per ModelStreamInfer stream before the server stops reading its requests.", DefaultValueFactory = _ => Defaults.GrpcStreamMaxPending };
    private readonly Option<long> _cacheBytes = new("--response-cache-bytes") { Description = "Response cache size in bytes for models with response_cache enabled (0 = off).", DefaultValueFactory = _ => Defaults.Engine.ResponseCacheBytes };
    private readonly Option<string?> _traceEndpoint = new("--trace-otlp-endpoint") { Description = "OTLP collector URL for spans (gRPC; HTTP/protobuf when the path ends in /v1/traces). Unset = no tracing." };
    private readonly Option<double> _traceRate = new("--trace-sampling-rate") { Description = "Share of new traces sampled, 0..1 (a caller's sampled flag is followed).", DefaultValueFactory = _ => Defaults.TraceSamplingRate };
    private readonly Option<string> _logFormat = new("--log-format") { Description = "Console log format: text | json (one JSON object per line, UTC timestamps, trace id in scopes).", DefaultValueFactory = _ => "text" };
    private readonly Option<string?> _payloadDir = new("--payload-log-dir") { Description = "Write payload-log JSON-lines files here (models opt in with the payload_log parameter)." };
    private readonly Option<long> _payloadMaxFileBytes = new("--payload-log-max-file-bytes") { Description = "Rotate a payload-log file before it passes this size.", DefaultValueFactory = _ => Defaults.PayloadLogMaxFileBytes };
    private readonly Option<int> _payloadMaxFiles = new("--payload-log-max-files") { Description = "Payload-log files kept (oldest deleted).", DefaultValueFactory = _ => Defaults.PayloadLogMaxFiles };
    private readonly Option<string?> _payloadUrl = new("--payload-log-url") { Description = "POST payload records as batched CloudEvents to this URL." };
    private readonly Option<long> _maxConfigFile = new("--max-config-file-bytes") { Description = "Largest config.pbtxt read.", DefaultValueFactory = _ => Defaults.Engine.FileLimits.ConfigBytes };
    private readonly Option<long> _maxLabelFile = new("--max-label-file-bytes") { Description = "Largest label_filename file read.", DefaultValueFactory = _ => Defaults.Engine.FileLimits.LabelBytes };
    private readonly Option<long> _maxWarmupFile = new("--max-warmup-file-bytes") { Description = "Largest warmup input_data_file read.", DefaultValueFactory = _ => Defaults.Engine.FileLimits.WarmupDataBytes };
    private readonly Option<long> _maxStateFile = new("--max-initial-state-file-bytes") { Description = "Largest sequence initial_state data_file read.", DefaultValueFactory = _ => Defaults.Engine.FileLimits.InitialStateBytes };
    private readonly Option<long> _maxModelFile = new("--max-model-file-bytes") { Description = "Largest model file loaded.", DefaultValueFactory = _ => Defaults.Engine.FileLimits.ModelBytes };
    private readonly Option<int> _maxShmRegions = new("--max-shm-regions") { Description = "System shared memory regions mapped at once (0 = extension off).", DefaultValueFactory = _ => Defaults.Engine.SharedMemory.MaxRegions };
    private readonly Option<long> _maxShmBytes = new("--max-shm-bytes") { Description = "Bytes of system shared memory mapped at once, over all regions.", DefaultValueFactory = _ => Defaults.Engine.SharedMemory.MaxBytes };
    private readonly Option<string?> _memoryBudget = new("--model-memory-budget") { Description = $"Model memory budget in bytes (units K/M/G, Ki/Mi/Gi; 0 = none): models load on their first request and idle ones are unloaded least recently used first to stay within it. Default: the repository's '{Turbine.Core.Memory.MemoryBudgetSetting.FileName}' file, else none (docs/memory.md)." };
    private readonly Option<int> _loadTimeout = new("--model-load-timeout-secs") { Description = "How long one model load (sessions, warmup) may take before it is abandoned, seconds.", DefaultValueFactory = _ => (int)Defaults.Engine.LoadTimeout.TotalSeconds };
    private readonly Option<bool> _strictReadiness = new("--strict-readiness") { Description = "Ready (/v2/health/ready, gRPC ServerReady) only while every model meant to load is READY; false: ready once the server is up (Triton's flag).", DefaultValueFactory = _ => Defaults.Engine.StrictReadiness };
    private readonly Option<bool> _exitOnError = new("--exit-on-error") { Description = "Exit with code 1 when a model meant to load at start-up fails (Triton's flag; Turbine's default is false).", DefaultValueFactory = _ => Defaults.ExitOnError };
    private readonly Option<int> _exitTimeout = new("--exit-timeout-secs") { Description = "How long shutdown waits for in-flight requests.", DefaultValueFactory = _ => (int)Defaults.ShutdownTimeout.TotalSeconds };
    private readonly Option<string?> _managementToken = new("--management-token") { Description = $"Bearer token that management calls (repository load/unload, /v2/logging) must send; visible in ps, prefer --management-token-file or {ManagementTokenVariable}." };
    private readonly Option<string?> _managementTokenFile = new("--management-token-file") { Description = "File holding the management token (surrounding whitespace trimmed)." };
    private readonly Option<string> _managementAuth = new("--management-auth") { Description = "auto: the token when set, else management only while bound to loopback (403 otherwise); none: no authentication (warned).", DefaultValueFactory = _ => "auto" };

    /// <summary>Environment variable read for the management token when neither flag gives one.</summary>
    public const string ManagementTokenVariable = "TURBINE_MANAGEMENT_TOKEN";

    private const long MaxTokenFileBytes = 4096;

    public ServeOptions()
    {
        _mode.AcceptOnlyFromAmong("none", "poll", "explicit");
        _managementAuth.AcceptOnlyFromAmong("auto", "none");
        _managementTokenFile.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string?>();
            if (value is null)
            {
                return;
            }

            var file = new FileInfo(value);
            if (!file.Exists)
            {
                r.AddError($"--management-token-file '{value}' does not exist");
            }
            else if (file.Length > MaxTokenFileBytes)
            {
                r.AddError($"--management-token-file '{value}' is {file.Length} bytes; a token file holds at most {MaxTokenFileBytes}");
            }
            else if (r.GetResult(_managementToken) is { Implicit: false })
            {
                r.AddError("give --management-token or --management-token-file, not both");
            }
        });
        _logFormat.AcceptOnlyFromAmong("text", "json");

        // Each rule is ServerOptionsValidator's (a library caller gets the same); the CLI checks the flag's own value.
        foreach (var port in new[] { _httpPort, _grpcPort, _metricsPort })
        {
            Rule(port, (option, value) => ServerOptionsValidator.CheckPort(option.Name, value));
        }

        Rule(_pollSecs, (_, value) => ServerOptionsValidator.CheckPollInterval(TimeSpan.FromSeconds(value)));
        Rule(_memoryBudget, (_, value) => value is null ? null : Turbine.Core.Memory.MemoryBudgetSetting.TryParse(value, out var problem) is null ? $"--model-memory-budget: {problem}" : null);
        Rule(_loadTimeout, (_, value) => ServerOptionsValidator.CheckLoadTimeout(TimeSpan.FromSeconds(value)));
        Rule(_cacheBytes, (_, value) => ServerOptionsValidator.CheckResponseCacheBytes(value));
        Rule(_maxBody, (_, value) => ServerOptionsValidator.CheckMaxRequestBodyBytes(value));
        Rule(_maxInflightBody, (_, value) => ServerOptionsValidator.CheckMaxInflightBodyBytes(value));
        Rule(_maxShmRegions, (_, value) => ServerOptionsValidator.CheckShmRegions(value));
        Rule(_maxShmBytes, (_, value) => ServerOptionsValidator.CheckShmBytes(value));
        Rule(_grpcStreamPending, (_, value) => ServerOptionsValidator.CheckGrpcStreamMaxPending(value));
        Rule(_grpcMax, (_, value) => ServerOptionsValidator.CheckGrpcMaxMessageBytes(value));
        Rule(_grpcCert, (option, value) => ServerOptionsValidator.CheckFileExists(option.Name, value));
        Rule(_grpcKey, (option, value) => ServerOptionsValidator.CheckFileExists(option.Name, value));
        Rule(_traceEndpoint, (_, value) => ServerOptionsValidator.CheckTraceEndpoint(value));
        Rule(_traceRate, (_, value) => ServerOptionsValidator.CheckTraceSamplingRate(value));
        Rule(_payloadMaxFileBytes, (_, value) => ServerOptionsValidator.CheckPayloadLogMaxFileBytes(value));
        Rule(_payloadMaxFiles, (_, value) => ServerOptionsValidator.CheckPayloadLogMaxFiles(value));
        Rule(_payloadUrl, (_, value) => ServerOptionsValidator.CheckPayloadLogUrl(value));
        foreach (var limit in new[] { _maxConfigFile, _maxLabelFile, _maxWarmupFile, _maxStateFile })
        {
            Rule(limit, (option, value) => ServerOptionsValidator.CheckFileLimit(option.Name, value, modelFile: false));
        }

        Rule(_maxModelFile, (option, value) => ServerOptionsValidator.CheckFileLimit(option.Name, value, modelFile: true));
        Rule(_id, (_, value) => ServerOptions.ValidateServerId(value));
        Rule(_host, (_, value) => ServerOptionsValidator.CheckHost(value));
    }

    /// <summary>The defaults of every flag: <see cref="ServerOptions"/>'s and <see cref="Turbine.Core.EngineOptions"/>'s own, written once there.</summary>
    private static ServerOptions Defaults { get; } = new() { Engine = new() { ModelRepository = "" } };

    /// <summary>Reports what <paramref name="check"/> says about the option's value as a parse error (exit code 2).</summary>
    internal static void Rule<T>(Option<T> option, Func<Option, T, string?> check) =>
        option.Validators.Add(r =>
        {
            if (check(r.Option, r.GetValueOrDefault<T>()!) is { } problem)
            {
                r.AddError(problem);
            }
        });

    public void AddTo(Command command)
    {
        command.Options.Add(_id);
        command.Options.Add(_host);
        command.Options.Add(_httpPort);
        command.Options.Add(_grpcPort);
        command.Options.Add(_grpcMax);
        command.Options.Add(_grpcCert);
        command.Options.Add(_grpcKey);
        command.Options.Add(_metricsPort);
        command.Options.Add(_mode);
        command.Options.Add(_loadModel);
        command.Options.Add(_pollSecs);
        command.Options.Add(_maxBody);
        command.Options.Add(_maxInflightBody);
        command.Options.Add(_grpcStreamPending);
        command.Options.Add(_cacheBytes);
        command.Options.Add(_traceEndpoint);
        command.Options.Add(_traceRate);
        command.Options.Add(_logFormat);
        command.Options.Add(_exitTimeout);
        command.Options.Add(_strictReadiness);
        command.Options.Add(_exitOnError);
        command.Options.Add(_loadTimeout);
        command.Options.Add(_memoryBudget);
        command.Options.Add(_maxConfigFile);
        command.Options.Add(_maxLabelFile);
        command.Options.Add(_maxWarmupFile);
        command.Options.Add(_maxStateFile);
        command.Options.Add(_maxModelFile);
        command.Options.Add(_managementToken);
        command.Options.Add(_managementTokenFile);
        command.Options.Add(_managementAuth);
        command.Options.Add(_payloadDir);
        command.Options.Add(_payloadMaxFileBytes);
        command.Options.Add(_payloadMaxFiles);
        command.Options.Add(_payloadUrl);
        command.Options.Add(_maxShmRegions);
        command.Options.Add(_maxShmBytes);
    }

    public ServerOptions Read(ParseResult parse, string repository) => new()
    {
        Engine = new()
        {
            ModelRepository = Path.GetFullPath(repository),
            ServerName = parse.GetValue(_id)!,
            ControlMode = parse.GetValue(_mode) switch
            {
                "poll" => ModelControlMode.Poll,
                "explicit" => ModelControlMode.Explicit,
                _ => ModelControlMode.None,
            },
            StartupModels = parse.GetValue(_loadModel) ?? [],
            PollInterval = TimeSpan.FromSeconds(parse.GetValue(_pollSecs)),
            SharedMemory = new SharedMemoryLimits { MaxRegions = parse.GetValue(_maxShmRegions), MaxBytes = parse.GetValue(_maxShmBytes) },
            LoadTimeout = TimeSpan.FromSeconds(parse.GetValue(_loadTimeout)),
            ModelMemoryBudget = parse.GetValue(_memoryBudget) is { } budget
                ? Turbine.Core.Memory.MemoryBudgetSetting.TryParse(budget, out _) ?? 0
                : Turbine.Core.Memory.MemoryBudgetSetting.ReadRepositoryDefault(Path.GetFullPath(repository)) ?? 0,
            ResponseCacheBytes = parse.GetValue(_cacheBytes),
            StrictReadiness = parse.GetValue(_strictReadiness),
            FileLimits = new ModelFileLimits
            {
                ConfigBytes = parse.GetValue(_maxConfigFile),
                LabelBytes = parse.GetValue(_maxLabelFile),
                WarmupDataBytes = parse.GetValue(_maxWarmupFile),
                InitialStateBytes = parse.GetValue(_maxStateFile),
                ModelBytes = parse.GetValue(_maxModelFile),
            },
        },
        Host = parse.GetValue(_host)!,
        HttpPort = parse.GetValue(_httpPort),
        GrpcPort = parse.GetValue(_grpcPort),
        GrpcMaxMessageBytes = (int)parse.GetValue(_grpcMax),
        GrpcTlsCertificatePath = parse.GetValue(_grpcCert),
        GrpcTlsKeyPath = parse.GetValue(_grpcKey) ?? parse.GetValue(_grpcCert),
        MetricsPort = parse.GetValue(_metricsPort),
        MaxRequestBodyBytes = parse.GetValue(_maxBody),
        MaxInflightBodyBytes = parse.GetValue(_maxInflightBody),
        GrpcStreamMaxPending = parse.GetValue(_grpcStreamPending),
        ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(_exitTimeout)),
        ExitOnError = parse.GetValue(_exitOnError),
        TraceOtlpEndpoint = parse.GetValue(_traceEndpoint) is { } endpoint ? new Uri(endpoint) : null,
        TraceSamplingRate = parse.GetValue(_traceRate),
        LogFormat = parse.GetValue(_logFormat) == "json" ? Turbine.Server.Logging.LogFormat.Json : Turbine.Server.Logging.LogFormat.Text,
        PayloadLogDirectory = parse.GetValue(_payloadDir) is { } dir ? Path.GetFullPath(dir) : null,
        PayloadLogMaxFileBytes = parse.GetValue(_payloadMaxFileBytes),
        PayloadLogMaxFiles = parse.GetValue(_payloadMaxFiles),
        PayloadLogUrl = parse.GetValue(_payloadUrl) is { } url ? new Uri(url) : null,
        ManagementToken = ReadManagementToken(parse),
        ManagementAuth = parse.GetValue(_managementAuth) == "none" ? Turbine.Server.Security.ManagementAuthMode.None : Turbine.Server.Security.ManagementAuthMode.Auto,
    };

    /// <summary>--management-token, else the token file's content, else the environment variable; null when none is set.</summary>
    private string? ReadManagementToken(ParseResult parse)
    {
        if (parse.GetValue(_managementToken) is { } token)
        {
            return token;
        }

        if (parse.GetValue(_managementTokenFile) is { } file)
        {
            return File.ReadAllText(file).Trim();
        }

        return Environment.GetEnvironmentVariable(ManagementTokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
    }
}
