using System.CommandLine;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Runtime;
using Turbine.Gateway;

namespace Turbine.Cli.Commands;

/// <summary>The flags of <c>turbine control serve</c> for the gateway, the runtime, the resolver and the reconciler.</summary>
internal sealed class ControlPlaneFlags
{
    /// <summary>Environment variable with the PostgreSQL connection string (a secret: not on the command line).</summary>
    public const string PostgresVariable = "TURBINE_CONTROL_POSTGRES";

    private static readonly ReconcilerOptions Defaults = new();

    private readonly Option<int> _gatewayHttp = new("--gateway-http-port") { Description = "The public gateway's HTTP port (0 = pick a free port).", DefaultValueFactory = _ => 8000 };
    private readonly Option<int> _gatewayGrpc = new("--gateway-grpc-port") { Description = "The public gateway's gRPC port (0 = pick a free port).", DefaultValueFactory = _ => 8001 };
    private readonly Option<string?> _registryToken = new("--registry-token") { Description = $"Token the replicas and the resolver use to read the registry (default ${ModelsCommand.RegistryTokenVariable})." };
    private readonly Option<string[]> _fileRoots = new("--allow-file-root") { Description = "A folder file:// storageUris may name (repeat for more); none = file:// refused.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _postgres = new("--postgres") { Description = $"Keep the control store in PostgreSQL (connection string from ${PostgresVariable}) instead of SQLite." };
    private readonly Option<double> _tick = new("--tick-secs") { Description = "Reconcile and autoscaler tick, seconds.", DefaultValueFactory = _ => Defaults.TickInterval.TotalSeconds };
    private readonly Option<double> _stable = new("--stable-window-secs") { Description = "The autoscaler's stable window, seconds.", DefaultValueFactory = _ => Defaults.StableWindow.TotalSeconds };
    private readonly Option<double> _panic = new("--panic-window-secs") { Description = "The autoscaler's panic window, seconds.", DefaultValueFactory = _ => Defaults.PanicWindow.TotalSeconds };
    private readonly Option<double> _resolve = new("--resolve-interval-secs") { Description = "How often storageUris are resolved again (a registry promotion starts a rollout), seconds.", DefaultValueFactory = _ => Defaults.ResolveInterval.TotalSeconds };
    private readonly Option<double> _startTimeout = new("--replica-start-timeout-secs") { Description = "Longest a replica may take to become ready before it is replaced, seconds.", DefaultValueFactory = _ => Defaults.StartTimeout.TotalSeconds };
    private readonly Option<double> _drainGrace = new("--drain-grace-secs") { Description = "How long a stopping replica may finish its requests before it is killed, seconds.", DefaultValueFactory = _ => Defaults.DrainGrace.TotalSeconds };
    private readonly Option<bool> _keepReplicas = new("--keep-replicas-on-exit") { Description = "Leave the replicas running when the controller stops (the next controller adopts them)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _gatewayHttp, _gatewayGrpc, _registryToken, _fileRoots, _postgres, _tick, _stable, _panic, _resolve, _startTimeout, _drainGrace, _keepReplicas })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The PostgreSQL connection string when <c>--postgres</c> is given.</summary>
    public string? Postgres(ParseResult parse)
    {
        if (!parse.GetValue(_postgres))
        {
            return null;
        }

        return Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new ControlCommand.UsageException($"--postgres needs the connection string in ${PostgresVariable}");
    }

    public ControlPlaneOptions Read(ParseResult parse, ControlOptions control)
    {
        static TimeSpan Seconds(double value, string flag) => double.IsFinite(value) && value > 0 && value <= 86_400
            ? TimeSpan.FromSeconds(value)
            : throw new ControlCommand.UsageException($"{flag} must be a number of seconds above 0 and at most 86400, got {value}");

        foreach (var (port, flag) in new[] { (parse.GetValue(_gatewayHttp), "--gateway-http-port"), (parse.GetValue(_gatewayGrpc), "--gateway-grpc-port") })
        {
            if (port is < 0 or > 65535)
            {
                throw new ControlCommand.UsageException($"{flag} must be between 0 and 65535");
            }
        }

        var reconciler = new ReconcilerOptions
        {
            TickInterval = Seconds(parse.GetValue(_tick), "--tick-secs"),
            StableWindow = Seconds(parse.GetValue(_stable), "--stable-window-secs"),
            PanicWindow = Seconds(parse.GetValue(_panic), "--panic-window-secs"),
            ResolveInterval = Seconds(parse.GetValue(_resolve), "--resolve-interval-secs"),
            StartTimeout = Seconds(parse.GetValue(_startTimeout), "--replica-start-timeout-secs"),
            DrainGrace = Seconds(parse.GetValue(_drainGrace), "--drain-grace-secs"),
            StopReplicasOnShutdown = !parse.GetValue(_keepReplicas),
        };
        if (reconciler.Validate() is [_, ..] problems)
        {
            throw new ControlCommand.UsageException(string.Join("; ", problems));
        }

        var token = parse.GetValue(_registryToken) ?? Environment.GetEnvironmentVariable(ModelsCommand.RegistryTokenVariable);
        var data = Path.GetFullPath(control.DataDirectory);
        return new ControlPlaneOptions
        {
            Gateway = new GatewayOptions
            {
                Host = control.Host,
                HttpPort = parse.GetValue(_gatewayHttp),
                GrpcPort = parse.GetValue(_gatewayGrpc),
                ConfigureLogging = control.ConfigureLogging,
            },
            Reconciler = reconciler,
            Runtime = new LocalRuntimeOptions
            {
                WorkDirectory = Path.Combine(data, "replicas"),
                RegistryCacheDirectory = Path.Combine(data, "registry-cache"),
                RegistryToken = token,
                StartTimeout = reconciler.StartTimeout,
            },
            Resolver = new ResolverOptions
            {
                CacheDirectory = Path.Combine(data, "artifacts"),
                RegistryUrl = control.RegistryUrl,
                RegistryToken = token,
                AllowedFileRoots = [.. (parse.GetValue(_fileRoots) ?? []).Select(Path.GetFullPath)],
            },
        };
    }
}
