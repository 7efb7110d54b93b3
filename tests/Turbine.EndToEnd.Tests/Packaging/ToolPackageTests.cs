using System.IO.Compression;
using System.Xml.Linq;
using Turbine.Client;

namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// The <c>turbine</c> .NET tool as a user gets it (issue 15 item 1): packed from the build, installed with
/// <c>dotnet tool install</c>, then run as the README runs it.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class ToolPackageTests(ToolPackageFixture tool) : IClassFixture<ToolPackageFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task InstalledTool_Version_PrintsDirectoryBuildPropsVersion()
    {
        var (code, output) = await TurbineProcess.RunExecutableAsync(tool.Turbine, ["--version"], Timeout);

        Assert.Equal(0, code);
        Assert.Equal(SourceTree.Version, output.Trim());
    }

    [Fact]
    public void ToolPackage_CarriesTheCommandAndOnnxRuntimeNativeLibrary()
    {
        using var zip = ZipFile.OpenRead(tool.Package);
        var names = zip.Entries.Select(e => e.FullName).ToList();

        var settings = names.Single(n => n.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using (var stream = zip.GetEntry(settings)!.Open())
        {
            var command = XDocument.Load(stream).Descendants("Command").Single();
            Assert.Equal("turbine", command.Attribute("Name")?.Value);
            Assert.Equal("turbine.dll", command.Attribute("EntryPoint")?.Value);
        }

        var toolFolder = settings[..(settings.LastIndexOf('/') + 1)];
        Assert.Contains(toolFolder + "libonnxruntime.so", names);
        Assert.Contains(toolFolder + "turbine.dll", names);
        Assert.Equal($"Turbine.Cli.{SourceTree.Version}.nupkg", Path.GetFileName(tool.Package));
    }

    [Fact]
    public async Task InstalledTool_SamplesCreateThenServe_BecomesReadyAndInfers()
    {
        var repository = Path.Combine(tool.Temp, "samples-" + Guid.NewGuid().ToString("N"));
        var (created, createOutput) = await TurbineProcess.RunExecutableAsync(tool.Turbine, ["samples", "create", repository], Timeout);
        Assert.True(created == 0, createOutput);
        Assert.True(File.Exists(Path.Combine(repository, "simple", "config.pbtxt")), createOutput);

        await using var server = TurbineProcess.StartExecutable(tool.Turbine,
            ["serve", "--model-repository", repository, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        var http = await server.WaitForReadyAsync(Timeout);

        using var client = new TurbineHttpClient(http);
        Assert.True(await client.IsReadyAsync());
        var result = await client.InferAsync("simple",
        [
            new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(1, 16).ToArray()),
            new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
        ]);
        Assert.Equal(Enumerable.Range(2, 16).ToArray(), result.GetOutput("OUTPUT0").AsArray<int>());

        // The image's HEALTHCHECK command, from the installed tool: 0 while ready.
        var (health, healthOutput) = await TurbineProcess.RunExecutableAsync(tool.Turbine, ["health", new Uri(http, "v2/health/ready").ToString()], Timeout);
        Assert.True(health == 0, healthOutput);
    }
}
