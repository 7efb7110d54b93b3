using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Cli.Logging;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary><c>turbine gateway</c>: the public endpoint in front of server replicas (docs/gateway.md).</summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var defaults = new GatewayOptions();
        var config = new Option<string>("--config") { Description = "Gateway config file (YAML; hot-reloaded).", Required = true };
        var host = HostFlag.Create(defaults.Host);
        var port = new Option<int>("--http-port", "--port") { Description = "REST port (HTTP/1.1; 0 = pick a free port). --port is an older spelling.", DefaultValueFactory = _ => defaults.HttpPort };
        var grpcPort = new Option<int>("--grpc-port") { Description = "gRPC port (cleartext HTTP/2; 0 = pick a free port).", DefaultValueFactory = _ => defaults.GrpcPort };
        var exitTimeout = new Option<int>("--exit-timeout-secs") { Description = "How long shutdown waits for in-flight requests.", DefaultValueFactory = _ => (int)defaults.ShutdownTimeout.TotalSeconds };

        // The rules are GatewayOptionsValidator's (a library caller gets the same); here they name the flag.
        foreach (var p in new[] { port, grpcPort })
        {
            p.Validators.Add(r =>
            {
                if (GatewayOptionsValidator.CheckPort(r.Option.Name, r.GetValueOrDefault<int>()) is { } problem)
                {
                    r.AddError(problem);
                }
            });
        }

        host.Validators.Add(r =>
        {
            if (GatewayOptionsValidator.CheckHost(r.GetValueOrDefault<string>()) is { } problem)
            {
                r.AddError(problem);
            }
        });

        var command = new Command("gateway", "Run the gateway: one public endpoint that routes, balances and protects server replicas.")
        {
            config, host, port, grpcPort, exitTimeout,
        };
        command.SetAction((parse, ct) => RunAsync(new GatewayOptions
        {
            ConfigPath = parse.GetValue(config)!,
            Host = parse.GetValue(host)!,
            HttpPort = parse.GetValue(port),
            GrpcPort = parse.GetValue(grpcPort),
            ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(exitTimeout)),
            ConfigureLogging = RoleLogging.For(Turbine.Server.Logging.LogFormat.Text),
        }, ct));
        return command;
    }

    public static async Task<int> RunAsync(GatewayOptions options, CancellationToken cancellationToken)
    {
        var (gateway, code) = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        if (gateway is null)
        {
            return code;
        }

        await gateway.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
        await gateway.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Starts the gateway; null (after printing why) with exit code 2 for a bad config, 1 when a port cannot be bound.</summary>
    /// <param name="options">The gateway's settings.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="httpPortFlag">The flag named when the HTTP port is taken (<c>turbine up</c> has its own).</param>
    /// <param name="source">The config, when not the file of <see cref="GatewayOptions.ConfigPath"/> (<c>turbine up</c> builds it in memory).</param>
    public static async Task<(GatewayHost? Gateway, int ExitCode)> StartAsync(GatewayOptions options, CancellationToken cancellationToken, string httpPortFlag = "--port", IGatewayConfigSource? source = null)
    {
        try
        {
            // A busy port is one line naming its flag, not the host's stack trace.
            PortProbe.EnsureFree(options.Host, [(options.HttpPort, "HTTP", httpPortFlag), (options.GrpcPort, "gRPC", "--grpc-port")]);
            var gateway = source is null
                ? await GatewayHost.StartAsync(options, cancellationToken).ConfigureAwait(false)
                : await GatewayHost.StartAsync(options, services => services.AddSingleton(source), cancellationToken).ConfigureAwait(false);
            return (gateway, 0);
        }
        catch (GatewayConfigException e)
        {
            foreach (var error in e.Errors)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {error}").ConfigureAwait(false);
            }

            return (null, 2);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot start the gateway: {e.Message}").ConfigureAwait(false);
            return (null, 1);
        }
    }
}
