using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>
/// The gateway panels of deploy/grafana/turbine.json (issue 12, item 19) query only metrics a real gateway exports,
/// and the metrics they are built on (rate-limit refusals, upstream health) carry the traffic that happened.
/// </summary>
public sealed partial class GatewayDashboardTests
{
    [Fact]
    public async Task Dashboard_GatewayPanels_QueryOnlyMetricsTheGatewayExports()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "grafana", "turbine.json")));
        var queried = doc.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => MetricName().Matches(t.GetProperty("expr").GetString()!).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
            rateLimits:
              models:
                simple: {requests: 1, periodSeconds: 3600}
            """);

        var (first, _, _) = await h.InferAsync();
        var (second, _, _) = await h.InferAsync();
        var text = await h.Http.GetStringAsync("metrics");
        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        var exported = families.SelectMany(f => f[3] == "histogram" ? new[] { f[2] + "_bucket", f[2] + "_sum", f[2] + "_count" } : [f[2]]).ToHashSet(StringComparer.Ordinal);
        var backend = h.Servers[0].HttpAddress.ToString().TrimEnd('/');

        Assert.Equal(200, first);
        Assert.Equal(429, second);
        Assert.Contains("turbine_gateway_rate_limited_total", queried);
        Assert.Contains("turbine_gateway_backend_healthy", queried);
        var missing = queried.Where(n => !exported.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"the dashboard queries gateway metrics the gateway does not export: {string.Join(", ", missing)}");
        Assert.Contains("turbine_gateway_rate_limited_total{scope=\"model\",model=\"simple\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"turbine_gateway_backend_healthy{{pool=\"main\",backend=\"{backend}\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"turbine_gateway_backend_ejected{{pool=\"main\",backend=\"{backend}\"}} 0\n", text, StringComparison.Ordinal);
        Assert.Contains($"turbine_gateway_requests_total{{model=\"simple\",pool=\"main\",backend=\"{backend}\",protocol=\"rest\",code=\"200\"}} 1\n", text, StringComparison.Ordinal);
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

    [GeneratedRegex("turbine_gateway_[a-zA-Z0-9_]+")]
    private static partial Regex MetricName();
}
