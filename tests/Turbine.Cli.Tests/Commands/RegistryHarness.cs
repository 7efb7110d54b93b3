using Microsoft.Extensions.Logging;
using Turbine.Registry;

namespace Turbine.Cli.Tests.Commands;

/// <summary>A real registry server (dev mode, loopback, free port) over a temporary data folder; deleted on dispose.</summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private RegistryHarness(RegistryServer server, string directory)
    {
        Server = server;
        Directory = directory;
    }

    public RegistryServer Server { get; }

    public string Directory { get; }

    public Uri Url => Server.Url;

    public static async Task<RegistryHarness> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "turbine-registry-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var server = await RegistryServer.StartAsync(new RegistryOptions
        {
            Port = 0,
            Dev = true,
            DataDirectory = Path.Combine(directory, "registry"),
            ConfigureLogging = b => b.SetMinimumLevel(LogLevel.Warning),
        });
        return new RegistryHarness(server, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
