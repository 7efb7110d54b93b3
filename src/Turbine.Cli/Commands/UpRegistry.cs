using System.CommandLine;
using Turbine.Client.Registry;
using Turbine.Registry;

namespace Turbine.Cli.Commands;

/// <summary>
/// The registry <c>turbine up</c> embeds: started in-process in dev mode on loopback, data in
/// <c>$TURBINE_HOME/registry</c>, with the sample models registered once (version 1, Production).
/// </summary>
internal static class UpRegistry
{
    public static Option<int> CreatePortOption()
    {
        var port = new Option<int>("--registry-port") { Description = "Port of the embedded model registry (loopback, dev mode; 0 = pick a free port).", DefaultValueFactory = _ => new RegistryOptions().Port };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--registry-port must be between 0 and 65535");
            }
        });
        return port;
    }

    /// <summary>Starts the registry and registers the repository's models that it does not have yet (a line per model on <paramref name="output"/>).</summary>
    public static async Task<RegistryServer> StartAsync(int port, string repository, TextWriter output, Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging, CancellationToken cancellationToken)
    {
        var options = new RegistryOptions { Host = "127.0.0.1", Port = port, Dev = true, ConfigureLogging = logging };
        Turbine.Server.PortProbe.EnsureFree(options.Host, [(options.Port, "registry", "--registry-port")]);
        var server = await RegistryServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            using var client = new RegistryClient(server.Url);
            await RegisterModelsAsync(client, repository, name => output.WriteLine($"turbine up: registering {name} in the registry (version 1, Production)"), cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Registers each model folder of <paramref name="repository"/> (tarred) as a version in stage Production, unless
    /// the registry already has a version of that model; returns the names registered. Idempotent.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RegisterModelsAsync(RegistryClient client, string repository, Action<string>? registering, CancellationToken cancellationToken)
    {
        var registered = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(repository).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                continue;
            }

            var existing = await client.FindModelAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing is { LatestVersion: not null })
            {
                continue;
            }

            if (existing is null)
            {
                try
                {
                    await client.CreateModelAsync(new NewRegisteredModel { Name = name, Description = "Turbine sample model", Tags = new Dictionary<string, string> { ["source"] = "samples" } }, cancellationToken).ConfigureAwait(false);
                }
                catch (RegistryException e) when (e.StatusCode == 409)
                {
                }
            }

            registering?.Invoke(name);
            var artifact = await client.UploadAsync(folder, cancellationToken).ConfigureAwait(false);
            var version = await client.CreateVersionAsync(name, new NewModelVersion { Artifact = artifact, Description = "registered by turbine up" }, cancellationToken).ConfigureAwait(false);
            await client.TransitionStageAsync(name, version.Version, "Production", archiveExisting: false, cancellationToken).ConfigureAwait(false);
            registered.Add(name);
        }

        return registered;
    }
}
