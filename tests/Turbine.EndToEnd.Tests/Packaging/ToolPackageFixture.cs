namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// Packs the CLI as a .NET tool once for its test class and installs it with <c>dotnet tool install --tool-path</c> from
/// that folder alone (a nuget.config that clears every other source: nothing is downloaded).
/// </summary>
public sealed class ToolPackageFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new("turbine-tool");

    public string Package { get; private set; } = "";

    /// <summary>The installed <c>turbine</c> command (the tool's shim).</summary>
    public string Turbine => Path.Combine(_temp.Path, "tools", "turbine");

    public string Temp => _temp.Path;

    public async Task InitializeAsync()
    {
        var feed = Path.Combine(_temp.Path, "feed");
        Package = await SourceTree.PackAsync("Turbine.Cli", feed);
        var config = _temp.File("nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="turbine-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await SourceTree.DotnetAsync(TimeSpan.FromMinutes(2), "tool", "install", "--tool-path", Path.Combine(_temp.Path, "tools"),
            "--configfile", config, "--version", SourceTree.Version, "Turbine.Cli");
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
