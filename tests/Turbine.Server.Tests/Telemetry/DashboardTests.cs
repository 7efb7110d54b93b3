using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>The shipped Grafana dashboard and Prometheus config only name metrics Turbine exposes.</summary>
public sealed partial class DashboardTests
{
    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "sum", "by", "without", "rate", "irate", "increase", "histogram_quantile", "le", "model", "version", "protocol",
        "outcome", "reason", "state", "avg", "max", "min", "count", "on", "ignoring", "and", "or", "unless",
        "pool", "code", "backend", "scope", "route", "method", "stage",
    };

    [Fact]
    public async Task Dashboard_EveryQueriedMetric_ExistsInMetricsOutput()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "grafana", "turbine.json");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var expressions = doc.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        Assert.NotEmpty(expressions);
        var names = expressions
            .SelectMany(e => Identifier().Matches(Selectors().Replace(e.Replace("$__rate_interval", "", StringComparison.Ordinal), "")).Select(m => m.Value))
            .Where(n => !PromQlWords.Contains(n) && !double.TryParse(n, out _))
            // The gateway's and the registry's panels are checked against a real gateway and registry in their own tests.
            .Where(n => !n.StartsWith("turbine_gateway_", StringComparison.Ordinal) && !n.StartsWith("turbine_registry_", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("turbine_request_duration_seconds_bucket", names);

        await using var harness = await ServerHarness.StartAsync();
        Assert.Equal(200, (await harness.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
        Assert.Equal(400, (await harness.PostJsonAsync("/v2/models/simple/infer",
            ServerHarness.SimpleJson().Replace("\"datatype\":\"INT32\"", "\"datatype\":\"FP32\"", StringComparison.Ordinal))).Status);
        var scrape = await MetricsScrape.GetAsync(harness.Server);
        var exposed = scrape.Samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var missing = names.Where(n => !exposed.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries metrics Turbine does not expose: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task PrometheusConfig_ScrapesMetricsPath()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "prometheus", "prometheus.yml"));
        Assert.Contains("metrics_path: /metrics", text, StringComparison.Ordinal);
        Assert.Contains($":{new ServerOptions { Engine = new() { ModelRepository = "." } }.MetricsPort}", text, StringComparison.Ordinal);
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

    [GeneratedRegex("\\{[^}]*\\}|\\[[^\\]]*\\]|\"[^\"]*\"")]
    private static partial Regex Selectors();

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
