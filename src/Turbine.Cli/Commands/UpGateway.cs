using Microsoft.Extensions.Logging;
using Turbine.Cli.Logging;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary>
/// The gateway half of <c>turbine up</c>: the server binds internal free ports (its metrics port stays as asked),
/// a gateway config built in memory routes every model (<c>*</c>) to it, and the gateway takes the public HTTP and gRPC
/// ports, so the README's <c>curl localhost:8000/...</c> goes through the gateway.
/// </summary>
internal static class UpGateway
{
    public static async Task<int> RunAsync(ServerOptions options, Turbine.Registry.RegistryServer registry, CancellationToken cancellationToken)
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
                RoleLogging.For(options.LogFormat, hideReady: true, minimum: LogLevel.Trace), cancellationToken: cancellationToken).ConfigureAwait(false);
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

        // The generated config goes to the gateway as an object: no temporary file between the two hosts.
        var (gateway, code) = await GatewayCommand.StartAsync(new GatewayOptions
        {
            Host = options.Host,
            HttpPort = options.HttpPort,
            GrpcPort = options.GrpcPort,
            ShutdownTimeout = options.ShutdownTimeout,
            ConfigureLogging = RoleLogging.For(options.LogFormat, hideReady: true),
        }, cancellationToken, "--http-port", new InMemoryGatewayConfigSource(Config(server), "turbine up")).ConfigureAwait(false);
        if (gateway is null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            return code;
        }

        await Console.Out.WriteLineAsync(Summary(gateway, server, registry)).ConfigureAwait(false);

        // SIGTERM stops both hosts; the gateway drains first, then the server.
        await Task.WhenAny(gateway.WaitForShutdownAsync(CancellationToken.None), server.WaitForShutdownAsync(CancellationToken.None)).ConfigureAwait(false);
        await gateway.DisposeAsync().ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// What runs where, once everything is up: the public endpoints (the gateway's; the server's own ports are internal
    /// and not shown), metrics, the registry and the models. The first line is the one scripts wait for.
    /// </summary>
    internal static string Summary(GatewayHost gateway, TurbineServer server, Turbine.Registry.RegistryServer registry)
    {
        var models = server.Engine.GetServingVersions().Select(m => m.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var http = gateway.HttpAddress.ToString().TrimEnd('/');
        return string.Join(Environment.NewLine,
            $"turbine ready: HTTP on {gateway.HttpAddress} gRPC on {gateway.GrpcAddress} (use these: the gateway in front of the server)",
            $"  metrics:  {server.MetricsAddress} (Prometheus)",
            $"  registry: {registry.Url} (dev mode: no tokens, loopback only; data in {Turbine.Registry.RegistryOptions.DefaultDataDirectory()})",
            $"  models:   {models.Count} ready: {string.Join(", ", models)}",
            $"  try:      curl {http}/v2/models/simple",
            "  stop:     Ctrl+C");
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
