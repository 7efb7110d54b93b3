using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Turbine.Cli.Commands;
using Turbine.Client.Registry;
using Turbine.Samples;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>turbine monitor</c> run in-process against a real registry on loopback: the profile travels in the version's card.</summary>
public sealed class MonitorCommandTests : IAsyncLifetime
{
    private RegistryHarness _registry = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _registry = await RegistryHarness.StartAsync();
        _folder = Path.Combine(_registry.Directory, "monitor");
        SampleRepository.CreateModel(_folder, "iris");
    }

    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ModelsCommand.Create(), MonitorCommand.Create() };
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private string Csv(string name, int seed, int rows, double shift)
    {
        var random = new Random(seed);
        var path = Path.Combine(_folder, name);
        File.WriteAllLines(path, Enumerable.Range(0, rows)
            .Select(_ => string.Create(CultureInfo.InvariantCulture, $"{5.8 + shift + random.NextDouble():F3},{3.0 + random.NextDouble():F3},{(random.NextDouble() < 0.5 - (shift / 2) ? "a" : "b")}"))
            .Prepend("sepal_length,sepal_width,batch"));
        return path;
    }

    [Fact]
    public async Task Push_WithReference_StoresTheProfileWithTheNewVersion_BadReferenceCreatesNoVersion()
    {
        var registry = _registry.Url.ToString();
        var model = Path.Combine(_folder, "iris", "1", "model.onnx");
        var (pushed, output, error) = await RunAsync("models", "push", model, "--name", "iris_ref", "--reference", Csv("ref.csv", 1, 600, 0), "--registry", registry);
        Assert.True(pushed == 0, error);
        Assert.Contains("(600 rows, 3 features) with iris_ref:1", error, StringComparison.Ordinal);
        using (var client = new RegistryClient(_registry.Url))
        {
            Assert.Contains("turbine:reference-profile:begin", await client.GetCardAsync("iris_ref", 1), StringComparison.Ordinal);
        }

        // The stored profile is the one drift reads: a shifted set drifts against it.
        var (shifted, shiftedOut, shiftedError) = await RunAsync("monitor", "drift", "--model", "iris_ref:1", "--data", Csv("shifted-ref.csv", 3, 400, 0.4), "--json", "--registry", registry);
        Assert.True(shifted == 0, shiftedError);
        Assert.True(JsonDocument.Parse(shiftedOut).RootElement.GetProperty("datasetDrift").GetBoolean());

        // A reference that cannot be read fails the push before anything is uploaded: still one version.
        var (bad, _, badError) = await RunAsync("models", "push", model, "--name", "iris_ref", "--reference", Path.Combine(_folder, "missing.csv"), "--registry", registry);
        Assert.Equal(1, bad);
        Assert.Contains("missing.csv", badError, StringComparison.Ordinal);
        using (var client = new RegistryClient(_registry.Url))
        {
            Assert.Single(await client.ListVersionsAsync("iris_ref"));
        }
    }

    [Fact]
    public async Task Baseline_StoresTheProfileWithTheVersion_DriftAndReportReadIt()
    {
        var registry = _registry.Url.ToString();
        var (pushed, _, pushError) = await RunAsync("models", "push", Path.Combine(_folder, "iris", "1", "model.onnx"), "--name", "iris", "--registry", registry);
        Assert.True(pushed == 0, pushError);
        var train = Csv("train.csv", 1, 600, 0);
        var sageMaker = Path.Combine(_folder, "sm");
        var (code, output, error) = await RunAsync("monitor", "baseline", "--model", "iris:1", "--data", train, "--sagemaker", sageMaker, "--registry", registry);
        Assert.True(code == 0, error);
        Assert.Contains("with iris:1", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(sageMaker, "statistics.json")) && File.Exists(Path.Combine(sageMaker, "constraints.json")));
        using (var client = new RegistryClient(_registry.Url))
        {
            Assert.Contains("turbine:reference-profile:begin", await client.GetCardAsync("iris", 1), StringComparison.Ordinal);
        }

        var (same, sameOut, sameError) = await RunAsync("monitor", "drift", "--model", "iris:1", "--data", Csv("same.csv", 2, 400, 0), "--json", "--registry", registry);
        Assert.True(same == 0, sameError);
        Assert.False(JsonDocument.Parse(sameOut).RootElement.GetProperty("datasetDrift").GetBoolean());

        var shiftedPath = Csv("shifted.csv", 3, 400, 0.4);
        var (shifted, shiftedOut, _) = await RunAsync("monitor", "drift", "--model", "iris:1", "--data", shiftedPath, "--json", "--registry", registry);
        Assert.Equal(0, shifted);
        var report = JsonDocument.Parse(shiftedOut).RootElement;
        Assert.True(report.GetProperty("datasetDrift").GetBoolean());
        Assert.Equal("ks", report.GetProperty("features")[0].GetProperty("test").GetString());
        Assert.Equal("z", report.GetProperty("features")[2].GetProperty("test").GetString());

        var html = Path.Combine(_folder, "report.html");
        var (written, _, reportError) = await RunAsync("monitor", "report", "--model", "iris:1", "--data", shiftedPath, "-o", html, "--registry", registry);
        Assert.True(written == 0, reportError);
        Assert.Contains("<svg", await File.ReadAllTextAsync(html), StringComparison.Ordinal);

        var (missing, _, missingError) = await RunAsync("monitor", "drift", "--model", "iris:1", "--data", Path.Combine(_folder, "nope.csv"), "--registry", registry);
        Assert.Equal(1, missing);
        Assert.StartsWith("turbine: error: dataset", missingError, StringComparison.Ordinal);
    }
}
