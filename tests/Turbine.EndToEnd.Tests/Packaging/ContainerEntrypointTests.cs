using System.Text.RegularExpressions;
using Turbine.Client;
using Turbine.Samples;

namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// The container image's command line run without a container runtime (issue 15, "checks that run here"): the
/// Dockerfile's own ENTRYPOINT + CMD + ENV against the published CLI, with <c>/mnt/models</c> laid out the ways KServe's
/// storage initializer lays it out (a Triton repository, one model folder, one .onnx file). Only what cannot be the
/// same outside a container is changed, each the same way: the image's absolute paths are put under a temp folder
/// standing for its root, its ports (8080, 9000, 8002, from EXPOSE) become free loopback ports, and TURBINE_HOST
/// 0.0.0.0 becomes 127.0.0.1 (tests bind loopback only).
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed partial class ContainerEntrypointTests(ContainerImageFixture image) : IClassFixture<ContainerImageFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly TempFolder _root = new("turbine-image-root");
    private readonly Dictionary<int, int> _ports = image.Spec.Exposed.ToDictionary(p => p, _ => Loopback.FreePort());

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Dockerfile_IsOneNonRootImageForEveryRole_StrictByDefault()
    {
        var spec = image.Spec;

        Assert.Equal(["turbine"], spec.Entrypoint);
        Assert.Equal("1000:1000", spec.User);
        Assert.Equal([8080, 9000, 8002], spec.Exposed);
        Assert.Equal(["serve", "--model-repository", "/mnt/models", "--http-port", "8080", "--grpc-port", "9000", "--metrics-port", "8002"], spec.Cmd.Take(9));
        Assert.Equal("true", Flag(spec.Cmd, "--strict-readiness"));
        Assert.Equal("true", Flag(spec.Cmd, "--exit-on-error"));
        Assert.Equal(["turbine", "health", "--timeout-secs", "4"], spec.HealthCheck);
        Assert.Equal("http://127.0.0.1:8080/v2/health/ready", spec.Env["TURBINE_HEALTH_URL"]);
    }

    [Theory]
    [InlineData("repository", "simple")]
    [InlineData("model-folder", "models")]
    [InlineData("model-file", "model")]
    public async Task ImageCommand_KServeStorageLayout_ReadyAndInfers(string layout, string servedAs)
    {
        var models = LayOut(layout);

        await using var server = Start();
        var http = await server.WaitForReadyAsync(Timeout);
        Assert.Equal(_ports[8080], http.Port);

        using var client = new TurbineHttpClient(http);
        Assert.True(await client.IsReadyAsync());
        var index = await client.GetRepositoryIndexAsync();
        Assert.Equal([servedAs], index.Select(m => m.Name));
        var result = await client.InferAsync(servedAs,
        [
            new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(1, 16).ToArray()),
            new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(3, 16).ToArray()),
        ]);
        Assert.Equal(Enumerable.Range(4, 16).ToArray(), result.GetOutput("OUTPUT0").AsArray<int>());
        Assert.Equal(Enumerable.Range(-2, 16).ToArray(), result.GetOutput("OUTPUT1").AsArray<int>());

        // The HEALTHCHECK, run as Docker runs it (same environment): healthy while ready.
        var (health, output) = await RunHealthCheckAsync();
        Assert.True(health == 0, output);
        Assert.True(Directory.Exists(models));
    }

    [Fact]
    public async Task ImageCommand_EveryModelFailsToLoad_ExitsOneNeverReady()
    {
        var models = Directory.CreateDirectory(Path.Combine(_root.Path, "mnt", "models")).FullName;
        Directory.CreateDirectory(Path.Combine(models, "broken", "1"));
        await File.WriteAllTextAsync(Path.Combine(models, "broken", "1", "model.onnx"), "not an onnx model");

        await using var server = Start();
        using var deadline = new CancellationTokenSource(Timeout);
        var code = await server.WaitForExitAsync(deadline.Token);

        Assert.Equal(1, code);
        Assert.DoesNotContain("turbine ready:", server.Output, StringComparison.Ordinal);
        Assert.Contains("broken", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_NothingListening_ExitsOne()
    {
        var (health, output) = await RunHealthCheckAsync();

        Assert.Equal(1, health);
        Assert.Contains("not healthy", output, StringComparison.Ordinal);
    }

    /// <summary>Lays out the image's /mnt/models as KServe's storage initializer leaves it for each kind of storageUri.</summary>
    private string LayOut(string layout)
    {
        var models = Path.Combine(_root.Path, "mnt", "models");
        switch (layout)
        {
            case "repository":
                SampleRepository.CreateModel(models, "simple");
                break;
            case "model-folder":
                // storageUri names the model folder: its content (config.pbtxt, 1/model.onnx) is copied into /mnt/models.
                var staging = Path.Combine(_root.Path, "staging");
                SampleRepository.CreateModel(staging, "simple");
                Directory.CreateDirectory(Path.GetDirectoryName(models)!);
                Directory.Move(Path.Combine(staging, "simple"), models);
                break;
            case "model-file":
                // storageUri names one file: /mnt/models/model.onnx.
                var file = Path.Combine(_root.Path, "staging-file");
                SampleRepository.CreateModel(file, "simple");
                Directory.CreateDirectory(models);
                File.Move(Path.Combine(file, "simple", "1", "model.onnx"), Path.Combine(models, "model.onnx"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, null);
        }

        return models;
    }

    /// <summary>ENTRYPOINT + CMD with the image's ENV, on the published CLI.</summary>
    private TurbineProcess Start()
    {
        Assert.Equal("turbine", image.Spec.Entrypoint[0]);
        return TurbineProcess.StartExecutable(image.Turbine, [.. image.Spec.Entrypoint.Skip(1).Concat(image.Spec.Cmd).Select(Translate)], Environment());
    }

    private Task<(int ExitCode, string Output)> RunHealthCheckAsync()
    {
        Assert.Equal("turbine", image.Spec.HealthCheck[0]);
        return TurbineProcess.RunExecutableAsync(image.Turbine, [.. image.Spec.HealthCheck.Skip(1).Select(Translate)], Timeout, Environment());
    }

    private Dictionary<string, string> Environment()
    {
        var environment = image.Spec.Env.ToDictionary(e => e.Key, e => Translate(e.Value));
        Assert.Equal("0.0.0.0", environment["TURBINE_HOST"]);
        environment["TURBINE_HOST"] = "127.0.0.1";
        return environment;
    }

    /// <summary>An image path under the temp root; an exposed port (alone, or in a URL) as its free loopback port.</summary>
    private string Translate(string value)
    {
        if (int.TryParse(value, out var port) && _ports.TryGetValue(port, out var free))
        {
            return free.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (value.StartsWith('/'))
        {
            return _root.Path + value;
        }

        return UrlPort().Replace(value, m => _ports.TryGetValue(int.Parse(m.Groups[1].Value), out var p) ? $":{p}/" : m.Value);
    }

    private static string Flag(IReadOnlyList<string> args, string name)
    {
        var at = args.ToList().IndexOf(name);
        return at >= 0 && at + 1 < args.Count ? args[at + 1] : "";
    }

    [GeneratedRegex(@":(\d+)/")]
    private static partial Regex UrlPort();
}
