using System.CommandLine;
using System.Globalization;
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
        var config = new Option<string>("--config") { Description = "Gateway config file (YAML; hot-reloaded).", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--http-port", "--port") { Description = "REST port (HTTP/1.1; 0 = pick a free port). --port is an older spelling.", DefaultValueFactory = _ => 8000 };
        var grpcPort = new Option<int>("--grpc-port") { Description = "gRPC port (cleartext HTTP/2; 0 = pick a free port).", DefaultValueFactory = _ => 8001 };
        var exitTimeout = new Option<int>("--exit-timeout-secs") { Description = "How long shutdown waits for in-flight requests.", DefaultValueFactory = _ => 30 };
        foreach (var p in new[] { port, grpcPort })
        {
            p.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<int>();
                if (value is < 0 or > 65535)
                {
                    r.AddError($"{r.Option.Name} must be between 0 and 65535, got {value.ToString(CultureInfo.InvariantCulture)}");
                }
            });
        }

        host.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (value != "localhost" && !System.Net.IPAddress.TryParse(value, out _))
            {
                r.AddError($"--host must be an IP address or 'localhost', got '{value}'");
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
    public static async Task<(GatewayHost? Gateway, int ExitCode)> StartAsync(GatewayOptions options, CancellationToken cancellationToken, string httpPortFlag = "--port")
    {
        try
        {
            // A busy port is one line naming its flag, not the host's stack trace.
            PortProbe.EnsureFree(options.Host, [(options.HttpPort, "HTTP", httpPortFlag), (options.GrpcPort, "gRPC", "--grpc-port")]);
            return (await GatewayHost.StartAsync(options, cancellationToken).ConfigureAwait(false), 0);
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
