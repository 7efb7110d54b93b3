using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Turbine.Samples;

namespace Turbine.Registry.Tests.Telemetry;

/// <summary>
/// The registry's <c>GET /metrics</c> (issue 12, item 19) on a real registry: valid Prometheus text by <c>promtool
/// check metrics</c> (installed with Debian's <c>prometheus</c> by scripts/test.sh), the traffic it saw by route
/// template, artifact bytes and store counts; and the shipped Prometheus config and Grafana dashboard match it.
/// </summary>
public sealed partial class RegistryMetricsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "turbine-registry-metrics-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task<RegistryHarness> StartAsync() => RegistryHarness.StartAsync(new RegistryOptions { DataDirectory = Path.Combine(_directory, "data") });

    private byte[] SimpleOnnx()
    {
        var samples = Path.Combine(_directory, "samples");
        SampleRepository.CreateModel(samples, "simple");
        return File.ReadAllBytes(Path.Combine(samples, "simple", "1", "model.onnx"));
    }

    [Fact]
    public async Task Metrics_AfterPushAndDownload_CountsByRouteTemplateBytesAndStore()
    {
        await using var registry = await StartAsync();
        var bytes = SimpleOnnx();
        var sha = await RegistryHarness.UploadAsync(registry.Admin, bytes);
        await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Post, "api/v1/models", new { name = "simple" }, HttpStatusCode.Created);
        await RegistryHarness.PushAsync(registry.Admin, "simple", sha);
        var downloaded = await registry.Admin.GetByteArrayAsync("api/v1/models/simple/versions/1/artifact");
        using var missing = await registry.Admin.GetAsync("api/v1/models/absent");

        // No token: metrics are outside /api, like the server's metrics port.
        using var anonymous = new HttpClient { BaseAddress = registry.Server.Url };
        using var response = await anonymous.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(bytes, downloaded);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var samples = Parse(text);
        Assert.Equal(1, Value(samples, "turbine_registry_requests_total", "method=\"POST\",route=\"/api/v1/artifacts\",code=\"201\""));
        Assert.Equal(1, Value(samples, "turbine_registry_requests_total", "method=\"POST\",route=\"/api/v1/models/{name}/versions\",code=\"201\""));
        Assert.Equal(1, Value(samples, "turbine_registry_requests_total", "method=\"GET\",route=\"/api/v1/models/{name}/versions/{version:long}/artifact\",code=\"200\""));
        Assert.Equal(1, Value(samples, "turbine_registry_requests_total", "method=\"GET\",route=\"/api/v1/models/{name}\",code=\"404\""));
        Assert.Equal(1, Value(samples, "turbine_registry_requests_total", "method=\"POST\",route=\"/api/v1/models\",code=\"201\""));
        Assert.Equal(1, Value(samples, "turbine_registry_request_duration_seconds_count", "method=\"POST\",route=\"/api/v1/artifacts\""));
        Assert.Equal(bytes.Length, Value(samples, "turbine_registry_artifact_uploaded_bytes_total", ""));
        Assert.Equal(bytes.Length, Value(samples, "turbine_registry_artifact_downloaded_bytes_total", ""));
        Assert.Equal(1, Value(samples, "turbine_registry_models", ""));
        Assert.Equal(1, Value(samples, "turbine_registry_versions", "stage=\"None\""));
        Assert.Equal(1, Value(samples, "turbine_registry_store_up", ""));
        Assert.DoesNotContain("absent", text, StringComparison.Ordinal); // a path's names never become labels
        await PromtoolAsync(text, "check", "metrics");
    }

    [Fact]
    public async Task Metrics_ManyUnknownPathsAndMethods_SeriesBounded()
    {
        await using var registry = await StartAsync();
        using var anonymous = new HttpClient { BaseAddress = registry.Server.Url };
        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(i % 2 == 0 ? "GET" : "BREW" + i), $"no/such/path/{i}");
            using var answer = await anonymous.SendAsync(request);
            Assert.True(answer.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest, answer.StatusCode.ToString());
        }

        var text = await anonymous.GetStringAsync("metrics");
        var series = text.Split('\n').Where(l => l.StartsWith("turbine_registry_requests_total{", StringComparison.Ordinal)).ToList();

        Assert.DoesNotContain("no/such/path", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BREW", text, StringComparison.Ordinal);
        Assert.True(series.Count <= 4, string.Join('\n', series));
        Assert.Contains(series, l => l.Contains("route=\"unmatched\"", StringComparison.Ordinal) && l.Contains("method=\"OTHER\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrometheusConfig_ValidAndScrapesServerGatewayAndRegistry()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "prometheus", "prometheus.yml");
        var text = await File.ReadAllTextAsync(path);

        await PromtoolAsync(null, "check", "config", path);
        Assert.Contains("job_name: turbine-gateway", text, StringComparison.Ordinal);
        Assert.Contains("job_name: turbine-registry", text, StringComparison.Ordinal);
        Assert.Contains($"\"127.0.0.1:{new RegistryOptions().Port}\"", text, StringComparison.Ordinal);
        Assert.Contains("\"127.0.0.1:8000\"", text, StringComparison.Ordinal); // turbine gateway --port default
    }

    [Fact]
    public async Task Dashboard_RegistryPanels_QueryOnlyMetricsTheRegistryExports()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "grafana", "turbine.json")));
        var queried = doc.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .Where(n => n.StartsWith("turbine_registry_", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        await using var registry = await StartAsync();
        using var anonymous = new HttpClient { BaseAddress = registry.Server.Url };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
        var families = (await anonymous.GetStringAsync("metrics")).Split('\n')
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).ToList();
        var exported = families.SelectMany(f => f[3] == "histogram" ? new[] { f[2] + "_bucket", f[2] + "_sum", f[2] + "_count" } : [f[2]]).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(queried);
        var missing = queried.Where(n => !exported.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries registry metrics the registry does not export: {string.Join(", ", missing)}");
    }

    private static Dictionary<string, double> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'))
            .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: l[(l.LastIndexOf(' ') + 1)..]))
            .ToDictionary(e => e.Key, e => e.Value == "+Inf" ? double.PositiveInfinity : double.Parse(e.Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static double Value(Dictionary<string, double> samples, string name, string labels) =>
        samples.TryGetValue(labels.Length == 0 ? name : $"{name}{{{labels}}}", out var v) ? v
        : throw new Xunit.Sdk.XunitException($"no sample {name}{{{labels}}} in:\n{string.Join('\n', samples.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)))}");

    /// <summary>Runs promtool (stdin = <paramref name="input"/>) and fails with its output unless it exits 0.</summary>
    private static async Task PromtoolAsync(string? input, params string[] args)
    {
        var binary = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool is not installed: run scripts/test.sh as root (it installs prometheus, which ships promtool) or apt-get install prometheus");
        var start = new ProcessStartInfo(binary) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"promtool {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Turbine.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("turbine_registry_[a-zA-Z0-9_]+")]
    private static partial Regex MetricName();
}
