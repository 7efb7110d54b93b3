using Microsoft.Extensions.Logging;
using Turbine.Cli.Logging;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary>
/// The gateway half of <c>turbine up</c>: the server binds internal free ports (its metrics port stays as asked),
/// a gateway config built in memory routes every model (<c>*</c>) to it, and the gateway takes the public HTTP and gRPC
/// ports, so the README's <c>curl localhost:8000/...</c> goes through the gateway. The embedded controller
/// (<see cref="UpControl"/>) shares that gateway: the sample deployments' models are routed to their replicas, every other
/// model to the embedded server.
/// </summary>
internal static class UpGateway
{
    public static async Task<int> RunAsync(ServerOptions options, Turbine.Registry.RegistryServer registry, int controlPort,
        (Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> Services, string Summary)? features, string? monitoringProfile, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(options.Engine.ModelRepository))
        {
            await Console.Error.WriteLineAsync($"turbine: error: model repository '{options.Engine.ModelRepository}' does not exist").ConfigureAwait(false);
            return 2;
        }

        TurbineServer server;
        try
        {
            await Console.Out.WriteLineAsync($"turbine up: loading the models of {options.Engine.ModelRepository}").ConfigureAwait(false);

            // The gateway takes the public ports: check them before the server loads every model.
            PortProbe.EnsureFree(options.Host, [(options.HttpPort, "HTTP", "--http-port"), (options.GrpcPort, "gRPC", "--grpc-port")]);

            // The server's own ready line names its internal ports; the summary below says what to use instead.
            server = await TurbineServer.StartAsync(options with { HttpPort = 0, GrpcPort = 0 },
                RoleLogging.For(options.LogFormat, hideReady: true, minimum: LogLevel.Trace), configureServices: features?.Services,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot start the server: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (StartupModelsFailedException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: start-up failed (--exit-on-error): {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        // The generated config goes to the gateway as an object: no temporary file between the two hosts. The controller
        // publishes its deployments' routes into the same source, beside the catch-all route to the embedded server.
        var source = new InMemoryGatewayConfigSource(Config(server), "turbine up");
        var (gateway, code) = await GatewayCommand.StartAsync(new GatewayOptions
        {
            Host = options.Host,
            HttpPort = options.HttpPort,
            GrpcPort = options.GrpcPort,
            ShutdownTimeout = options.ShutdownTimeout,
            ConfigureLogging = RoleLogging.For(options.LogFormat, hideReady: true),
        }, cancellationToken, "--http-port", source).ConfigureAwait(false);
        if (gateway is null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            return code;
        }

        var (control, deployments) = await StartControlAsync(controlPort, new AttachedGateway(gateway, source), registry, server, options, cancellationToken).ConfigureAwait(false);
        if (control is null)
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            return 1;
        }

        string?[] extra =
        [
            features?.Summary,
            monitoringProfile is null ? null
                : $"  health:   {control.Url}dashboard/#/health/{UpMonitoring.Model} ({UpMonitoring.Model} monitored against its training data's profile {monitoringProfile}; a report per {UpMonitoring.WindowRows} rows or {UpMonitoring.WindowDuration.TotalSeconds:0} s)",
            options.PayloadLogDirectory is null ? null
                : $"  payloads: {control.Url}dashboard/#/payloads (the server's payload log in {options.PayloadLogDirectory} and each replica's)",
        ];
        await Console.Out.WriteLineAsync(Summary(gateway, server, registry, control, deployments, [.. extra.OfType<string>()])).ConfigureAwait(false);

        // SIGINT or SIGTERM stops every host in order: the controller first (it removes its replicas' routes, drains and
        // stops them: SIGTERM, then SIGKILL past the drain grace) and up waits for that, then the gateway drains, then the
        // server. The hosts' own stops are not awaited here: each also sees the signal, and the first to finish used to let
        // up return (and the process exit) while the controller's drain had not yet signalled a single replica.
        using var shutdown = new UpShutdown();
        var why = await shutdown.WaitAsync(("server", server.Lifetime.ApplicationStopping), ("controller", control.ShutdownRequested)).ConfigureAwait(false);
        var drain = new Turbine.Control.Reconciling.ReconcilerOptions();
        await Console.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"turbine up: stopping ({why}): the controller drains and stops its replicas (at most {(drain.DrainDelay + drain.DrainGrace).TotalSeconds:0.#} s), then the gateway and the server")).ConfigureAwait(false);
        try
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The controller on the gateway with the sample deployments declared, or null (after a one-line error) when it cannot start.</summary>
    private static async Task<(ControlHost? Control, IReadOnlyList<UpControl.SampleDeployment> Deployments)> StartControlAsync(
        int port, AttachedGateway gateway, Turbine.Registry.RegistryServer registry, TurbineServer server, ServerOptions options, CancellationToken cancellationToken)
    {
        ControlHost? control = null;
        try
        {
            await Console.Out.WriteLineAsync("turbine up: starting the controller").ConfigureAwait(false);
            // The dashboard's Model-health page reads the embedded server's monitoring API; its payload browser the server's folder.
            // Try-it reaches the embedded server's own models (iris, …) through the gateway's catch-all route.
            var embedded = server.Engine.GetServingVersions().Select(m => m.Model).Distinct(StringComparer.Ordinal)
                .Where(m => !UpControl.Samples.Any(s => s.Model == m)).Order(StringComparer.Ordinal).ToList();
            control = await UpControl.StartAsync(port, gateway, registry.Url, RoleLogging.For(options.LogFormat, hideReady: true), cancellationToken,
                monitoringUrl: options.Monitoring is null ? null : server.HttpAddress, payloadLogDirectory: options.PayloadLogDirectory, gatewayModels: embedded).ConfigureAwait(false);
            using var client = new ControlClient(control.Url, token: null);
            var models = server.Engine.GetServingVersions().Select(m => m.Model).ToHashSet(StringComparer.Ordinal);
            var deployments = await UpControl.DeclareSamplesAsync(client, models, Console.Out, cancellationToken).ConfigureAwait(false);
            foreach (var late in await UpControl.WaitForReplicasAsync(client, deployments, UpControl.ReadyWait, cancellationToken).ConfigureAwait(false))
            {
                await Console.Out.WriteLineAsync($"turbine up: deployment {late} has no ready replica yet; see 'turbine control describe {late}'").ConfigureAwait(false);
            }

            return (control, deployments);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or ControlClientException or HttpRequestException
            or System.Data.Common.DbException or UnauthorizedAccessException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot start the embedded controller on port {port} (use --control-port): {e.Message}").ConfigureAwait(false);
            if (control is not null)
            {
                await control.DisposeAsync().ConfigureAwait(false);
            }

            return (null, []);
        }
    }

    /// <summary>
    /// What runs where, once everything is up: the public endpoints (the gateway's; the server's own ports are internal
    /// and not shown), metrics, the registry and the models. The first line is the one scripts wait for.
    /// </summary>
    internal static string Summary(GatewayHost gateway, TurbineServer server, Turbine.Registry.RegistryServer registry, ControlHost control, IReadOnlyList<UpControl.SampleDeployment> deployments, IReadOnlyList<string>? extra = null)
    {
        var models = server.Engine.GetServingVersions().Select(m => m.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var http = gateway.HttpAddress.ToString().TrimEnd('/');
        string[] lines =
        [
            $"turbine ready: HTTP on {gateway.HttpAddress} gRPC on {gateway.GrpcAddress} (use these: the gateway in front of the server)",
            $"  metrics:  {server.MetricsAddress} (Prometheus)",
            $"  registry: {registry.Url} (dev mode: no tokens, loopback only; data in {Turbine.Registry.RegistryOptions.DefaultDataDirectory()})",
            $"  models:   {models.Count} ready: {string.Join(", ", models)}",
            $"  control:  {control.Url} (dev mode, loopback only; data in {Turbine.Control.Api.ControlOptions.DefaultDataDirectory()}); deployments: "
                + (deployments.Count == 0 ? "none" : string.Join("; ", deployments.Select(d => $"{d.Name} ({d.Describe()})"))),
            $"  watch:    turbine control get --url {control.Url.ToString().TrimEnd('/')}",
            $"  browse:   {control.Url}dashboard/ (the web dashboard)",
            .. extra ?? [],
            $"  try:      curl {http}/v2/models/simple",
            "  stop:     Ctrl+C",
        ];
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>One pool with the embedded server (round robin); every model (<c>*</c>) routed to it; no access log.</summary>
    internal static GatewayConfig Config(TurbineServer server) => new()
    {
        Pools = new Dictionary<string, PoolConfig>(StringComparer.Ordinal)
        {
            ["embedded"] = new PoolConfig
            {
                Policy = "roundRobin",
                Replicas = [new ReplicaConfig { Http = server.HttpAddress.ToString().TrimEnd('/'), Grpc = server.GrpcAddress.ToString().TrimEnd('/') }],
            },
        },
        Models = new Dictionary<string, ModelRouteConfig>(StringComparer.Ordinal) { ["*"] = new ModelRouteConfig { Pool = "embedded" } },
        AccessLog = new AccessLogConfig { Enabled = false },
    };
}
