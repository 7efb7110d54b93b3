using System.Text.RegularExpressions;
using Turbine.Client;
using Turbine.Client.Registry;
using Turbine.TestSupport;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// Issue 11 items 4 and 8 end to end: a real <c>turbine serve --registry</c> follows a good reference and a reference
/// whose tar artifact holds a FIFO <c>labels.txt</c> (which used to hang the load on open, stop the sync and make the
/// process ignore SIGTERM). The bad reference is refused with a clear log line, the good one is served and updated,
/// and SIGTERM stops the process.
/// </summary>
public sealed partial class RegistryHostileArtifactTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-hostile", Guid.NewGuid().ToString("N"));

    public RegistryHostileArtifactTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ServeFromRegistry_FifoArtifactBesideGoodOne_GoodServedAndUpdatedAndSigtermExits()
    {
        await using var registry = TurbineProcess.Start(["registry", "--dev", "--port", "0", "--data", Path.Combine(_root, "registry")]);
        var registryUrl = (await registry.WaitForLineAsync(RegistryReadyLine(), TimeSpan.FromSeconds(60))).Groups[1].Value;
        var push1 = await TurbineProcess.RunAsync("models", "push", AddModel.Write(Path.Combine(_root, "v1"), 0f), "--name", "adder", "--registry", registryUrl);
        Assert.True(push1.ExitCode == 0, push1.Output);

        using (var client = new RegistryClient(new Uri(registryUrl)))
        {
            await client.CreateModelAsync(new NewRegisteredModel { Name = "bad" });
            var tar = HostileTar.Write(Path.Combine(_root, "bad.tar"), await File.ReadAllBytesAsync(AddModel.Write(Path.Combine(_root, "bad"), 5f)),
                HostileTar.Text("config.pbtxt", "max_batch_size: 8\noutput [ { name: \"OUTPUT0\" data_type: TYPE_FP32 dims: [ 4 ] label_filename: \"labels.txt\" } ]\n"),
                HostileTar.Fifo("labels.txt"));
            var upload = await client.UploadFileAsync(tar);
            await client.CreateVersionAsync("bad", new NewModelVersion
            {
                Artifact = new RegistryArtifact { Sha256 = upload.Sha256, Size = upload.Size, Packing = RegistryArtifact.TarPacking },
            });
        }

        await using var server = TurbineProcess.Start(["serve", "--registry", registryUrl, "--model", "bad", "--model", "adder",
            "--registry-poll-secs", "1", "--registry-cache", Path.Combine(_root, "cache"), "--exit-timeout-secs", "5",
            "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        using var http = new TurbineHttpClient(await server.WaitForReadyAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(("1", 3f), await InferAsync(http, 3f));
        Assert.Contains("tar entry 'labels.txt' is a FIFO", server.Output, StringComparison.Ordinal);

        // The bad reference keeps failing on its own backoff; the good one still follows the registry.
        var push2 = await TurbineProcess.RunAsync("models", "push", AddModel.Write(Path.Combine(_root, "v2"), 1f), "--name", "adder", "--registry", registryUrl);
        Assert.True(push2.ExitCode == 0, push2.Output);
        await Poll.UntilOrFailAsync(async () => (await InferAsync(http, 3f)).Version == "2", TimeSpan.FromSeconds(60),
            () => $"adder version 2 was never served; output:\n{server.Output}", TimeSpan.FromMilliseconds(100));

        Assert.Equal(("2", 4f), await InferAsync(http, 3f));
        Assert.DoesNotContain("now served as 'bad'", server.Output, StringComparison.Ordinal);

        server.Terminate();
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await server.WaitForExitAsync(exit.Token));
    }

    private static async Task<(string Version, float Output)> InferAsync(TurbineHttpClient client, float value)
    {
        var input = new InferInput("INPUT0", [1, 4], "FP32").SetData(new[] { value, value, value, value });
        var result = await client.InferAsync("adder", [input]);
        return (result.ModelVersion, result.GetOutput("OUTPUT0").AsArray<float>()[0]);
    }

    [GeneratedRegex(@"turbine registry ready: (\S+)")]
    private static partial Regex RegistryReadyLine();
}
