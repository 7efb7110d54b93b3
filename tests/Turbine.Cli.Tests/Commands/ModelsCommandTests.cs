using System.CommandLine;
using System.Text.Json;
using Turbine.Cli.Commands;
using Turbine.Client.Registry;
using Turbine.Samples;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>turbine models</c> parsed and run in-process against a real registry server on loopback.</summary>
public sealed class ModelsCommandTests : IAsyncLifetime
{
    private RegistryHarness _registry = null!;
    private string _samples = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryHarness.StartAsync();
        _samples = Path.Combine(_registry.Directory, "samples");
        SampleRepository.CreateModel(_samples, "identity_fp32");
        SampleRepository.CreateModel(_samples, "iris");
    }

    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ModelsCommand.Create() };
        var parse = root.Parse(["models", .. args, "--registry", _registry.Url.ToString()]);
        Assert.Empty(parse.Errors);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Push_FileWithMetadata_CreatesModelAndShowPrintsIt()
    {
        var file = Path.Combine(_samples, "identity_fp32", "1", "model.onnx");
        var (code, output, error) = await RunAsync("push", file, "--name", "fraud", "--metric", "auc=0.91", "--param", "lr=0.1",
            "--dataset", "s3://d/train.csv", "--commit", "abc123", "--run-id", "r1", "--description", "first");
        Assert.True(code == 0, error);
        Assert.StartsWith("pushed fraud version 1 (sha256 " + await RegistryClient.ComputeSha256Async(file), output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("show", "fraud:1", "--output", "json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(0.91, json.RootElement.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal("abc123", json.RootElement.GetProperty("lineage").GetProperty("codeCommit").GetString());

        (code, output, _) = await RunAsync("lineage", "--commit", "abc123");
        Assert.Equal(0, code);
        Assert.Contains("fraud", output);
    }

    [Fact]
    public async Task Push_LargeArtifact_ProgressOnStderrOnlyEndingAtHundredPercent()
    {
        var file = Path.Combine(_registry.Directory, "big.onnx");
        var bytes = new byte[ModelsCommand.ProgressThresholdBytes + (1 << 20)];
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        var (code, output, error) = await RunAsync("push", file, "--name", "big");
        Assert.True(code == 0, error);
        Assert.StartsWith("pushed big version 1", output, StringComparison.Ordinal); // stdout: the result only
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("turbine: uploading big.onnx: ", l, StringComparison.Ordinal));
        Assert.StartsWith("turbine: uploading big.onnx: 100% 5.0 MiB sent", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_SmallArtifact_NoProgress()
    {
        var (code, _, error) = await RunAsync("push", Path.Combine(_samples, "iris"), "--name", "small");
        Assert.Equal(0, code);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task PushFolder_ThenPull_ExtractsTheFolder()
    {
        var (code, output, error) = await RunAsync("push", Path.Combine(_samples, "iris"), "--name", "iris");
        Assert.True(code == 0, error);
        Assert.Contains("tar", output);
        var target = Path.Combine(_registry.Directory, "pulled");
        (code, output, error) = await RunAsync("pull", "iris", target);
        Assert.True(code == 0, error);
        Assert.Contains("verified", output);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_samples, "iris", "1", "model.onnx")),
            await File.ReadAllBytesAsync(Path.Combine(target, "1", "model.onnx")));
        Assert.True(File.Exists(Path.Combine(target, "config.pbtxt")));
    }

    [Fact]
    public async Task Pull_TarWithFifoEntry_ExitsWithErrorNamingTheEntryAndWritesNothing()
    {
        var tar = HostileTar.Write(Path.Combine(_registry.Directory, "hostile.tar"), [1, 2, 3], HostileTar.Fifo("labels.txt"));
        using (var client = new RegistryClient(_registry.Url))
        {
            await client.CreateModelAsync(new NewRegisteredModel { Name = "hostile" });
            var upload = await client.UploadFileAsync(tar);
            await client.CreateVersionAsync("hostile", new NewModelVersion
            {
                Artifact = new RegistryArtifact { Sha256 = upload.Sha256, Size = upload.Size, Packing = RegistryArtifact.TarPacking },
            });
        }

        var target = Path.Combine(_registry.Directory, "pulled-hostile");
        var (code, _, error) = await RunAsync("pull", "hostile", target);

        Assert.NotEqual(0, code);
        Assert.Contains("tar entry 'labels.txt' is a FIFO; artifacts may hold only regular files and directories", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        var parse = new RootCommand { ModelsCommand.Create() }.Parse(["models", "pull", "hostile", target, "--max-extract-entries", "0"]);
        Assert.Contains(parse.Errors, e => e.Message == "--max-extract-entries must be positive");
    }

    [Fact]
    public async Task PromoteAliasList_ShowTheirEffect()
    {
        var file = Path.Combine(_samples, "identity_fp32", "1", "model.onnx");
        Assert.Equal(0, (await RunAsync("push", file, "--name", "m")).Code);
        Assert.Equal(0, (await RunAsync("push", file, "--name", "m")).Code);
        var (code, output, error) = await RunAsync("promote", "m:2", "--stage", "Production");
        Assert.True(code == 0, error);
        Assert.Contains("Production", output);
        (code, output, _) = await RunAsync("alias", "m@production", "--set", "champion");
        Assert.Equal(0, code);
        Assert.Equal("m@champion -> version 2", output.Trim());

        (code, output, _) = await RunAsync("list");
        Assert.Equal(0, code);
        var row = output.Split('\n').Single(l => l.StartsWith("m ", StringComparison.Ordinal));
        Assert.Contains("Production=2", row);
        Assert.Contains("champion=2", row);
    }

    [Fact]
    public async Task Show_UnknownModel_OneLineErrorExit1()
    {
        var (code, output, error) = await RunAsync("show", "nosuch@production");
        Assert.Equal(1, code);
        Assert.Empty(output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("turbine: error: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_WithToken_UsesItAndWithoutOneFailsWithTheRegistrysMessage()
    {
        await using var secured = await RegistryHarness.StartAsync(("ci", "writer"));
        var file = Path.Combine(_samples, "identity_fp32", "1", "model.onnx");
        var root = new RootCommand { ModelsCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var denied = await root.Parse(["models", "push", file, "--name", "t", "--registry", secured.Url.ToString()])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.Equal(1, denied);
        Assert.StartsWith("turbine: error: ", error.ToString(), StringComparison.Ordinal);

        var pushed = await root.Parse(["models", "push", file, "--name", "t", "--registry", secured.Url.ToString(), "--token", secured.Tokens["ci"]])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        Assert.Equal(0, pushed);
        Assert.Contains("pushed t version 1", output.ToString());
    }

    [Fact]
    public async Task Push_MissingPath_UsageErrorExit2()
    {
        var (code, _, error) = await RunAsync("push", Path.Combine(_samples, "nosuch.onnx"), "--name", "x");
        Assert.Equal(2, code);
        Assert.Contains("is neither a file nor a folder", error);
    }

    [Theory]
    [InlineData("--metric", "auc", "must be key=value")]
    [InlineData("--metric", "auc=high", "must be a number")]
    public void Push_BadMetric_IsAParseError(string option, string value, string expected)
    {
        var root = new RootCommand { ModelsCommand.Create() };
        var parse = root.Parse(["models", "push", "model.onnx", "--name", "x", option, value]);
        Assert.Contains(parse.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegisterModelsAsync_SecondRun_RegistersNothing()
    {
        using var client = new RegistryClient(_registry.Url);
        var first = await UpRegistry.RegisterModelsAsync(client, _samples, null, CancellationToken.None);
        Assert.Equal(["identity_fp32", "iris"], first);
        Assert.Equal("Production", (await client.ResolveAsync("iris@production")).Stage);
        var second = await UpRegistry.RegisterModelsAsync(client, _samples, null, CancellationToken.None);
        Assert.Empty(second);
        Assert.Single(await client.ListVersionsAsync("iris"));
    }
}
