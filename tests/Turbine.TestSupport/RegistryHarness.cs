using Microsoft.Extensions.Logging;
using Turbine.Registry;

namespace Turbine.TestSupport;

/// <summary>A real registry server (dev mode, loopback, free port) over a temporary data folder; deleted on dispose.</summary>
public sealed class RegistryHarness : IAsyncDisposable
{
    private RegistryHarness(RegistryServer server, string directory)
    {
        Server = server;
        Directory = directory;
    }

    public RegistryServer Server { get; }

    public string Directory { get; }

    public Uri Url => Server.Url;

    /// <summary>Token name → secret, for a registry started with tokens.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; private init; } = new Dictionary<string, string>();

    /// <summary>
    /// Starts the registry; with <paramref name="tokens"/> it checks tokens (not dev mode) and each (name, role) gets a
    /// token created on the store before start, returned by <see cref="Tokens"/>.
    /// </summary>
    public static async Task<RegistryHarness> StartAsync(params (string Name, string Role)[] tokens)
    {
        var directory = Path.Combine(Path.GetTempPath(), "turbine-registry-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var options = new RegistryOptions
        {
            Port = 0,
            Dev = tokens.Length == 0,
            DataDirectory = Path.Combine(directory, "registry"),
            ConfigureLogging = b => b.SetMinimumLevel(LogLevel.Warning),
        };
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, role) in tokens)
        {
            secrets[name] = (await RegistryTokens.CreateAsync(options, name, role, null)).Secret!;
        }

        var server = await RegistryServer.StartAsync(options);
        return new RegistryHarness(server, directory) { Tokens = secrets };
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
