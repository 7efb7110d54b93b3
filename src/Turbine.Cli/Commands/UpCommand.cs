using System.CommandLine;
using Turbine.Cli.Logging;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine up</c>: the one-command embedded default. Creates the sample repository if absent (a line per model
/// while it builds), starts the registry, the server, the gateway and the controller (with two samples declared as
/// deployments), and prints one summary of what runs where.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var repository = new Option<string>("--model-repository")
        {
            Description = "Repository to serve; the samples are created there if it has no models.",
            DefaultValueFactory = _ => Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "models"),
        };
        var options = new ServeOptions();
        var command = new Command("up", "Run Turbine's embedded default: create the sample models if absent and serve them.") { repository };
        options.AddTo(command);
        var registryPort = UpRegistry.CreatePortOption();
        command.Options.Add(registryPort);
        var controlPort = UpControl.CreatePortOption();
        command.Options.Add(controlPort);
        command.SetAction(async (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(repository)!);
            var createdNow = false;
            if (!Directory.Exists(path) || !Directory.EnumerateDirectories(path).Any())
            {
                Console.WriteLine($"turbine up: first run: building the sample models in {path} (takes a while once)");
                var (created, _) = SamplesCommand.CreateSamples(path, overwrite: false, Console.Out);
                Console.WriteLine($"turbine up: created {created.Count} sample model(s)");
                createdNow = true;
            }

            // Before the registry registers the samples: iris logs its tensors for the monitoring tap.
            await UpMonitoring.EnsurePayloadLogAsync(path, createdNow, Console.Out).ConfigureAwait(false);
            var server = options.Read(parse, path);
            // The payload browser and the monitoring tap read the embedded server's payload log: on by default under up.
            server = server with { PayloadLogDirectory = server.PayloadLogDirectory ?? UpMonitoring.DefaultPayloadFolder() };
            var registry = await StartRegistryAsync(parse.GetValue(registryPort), path, server.LogFormat, ct).ConfigureAwait(false);
            if (registry is null)
            {
                return 1;
            }

            await using (registry.ConfigureAwait(false))
            {
                var features = await UpFeatures.PrepareAsync(UpFeatures.DefaultFolder(), Console.Out, ct).ConfigureAwait(false);
                var monitoring = await UpMonitoring.PrepareAsync(path, UpMonitoring.DefaultFolder(), registry.Url, Console.Out, ct).ConfigureAwait(false);
                try
                {
                    return await UpGateway.RunAsync(server with { Monitoring = monitoring?.Service }, registry, parse.GetValue(controlPort), features, monitoring?.ProfilePath, ct).ConfigureAwait(false);
                }
                finally
                {
                    if (monitoring is { } m)
                    {
                        await m.Service.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        });
        return command;
    }

    /// <summary>The embedded registry with the samples registered, or null (after a one-line error) when it cannot start.</summary>
    private static async Task<Turbine.Registry.RegistryServer?> StartRegistryAsync(int port, string repository, Turbine.Server.Logging.LogFormat format, CancellationToken ct)
    {
        try
        {
            Console.WriteLine("turbine up: starting the model registry");
            return await UpRegistry.StartAsync(port, repository, Console.Out, RoleLogging.For(format, hideReady: true), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or Turbine.Client.Registry.RegistryException or System.Data.Common.DbException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"turbine: error: cannot start the embedded registry on port {port} (use --registry-port): {e.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
