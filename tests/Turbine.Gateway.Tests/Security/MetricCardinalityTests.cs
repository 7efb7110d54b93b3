using System.Text.RegularExpressions;

namespace Turbine.Gateway.Tests.Security;

/// <summary>Unknown model names must not create metric series in the gateway (issue 11, item 7).</summary>
public sealed class MetricCardinalityTests
{
    [Fact]
    public async Task Metrics_TenThousandUnknownModelNames_SeriesBounded()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
            """);

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await h.Http.PostAsync($"v2/models/no-such-model-{i}/infer", new StringContent(GatewayHarness.SimpleJson()), ct);
            // The server's answer for a model it does not have, forwarded (404 before issue 12, Triton's 400 after).
            Assert.True(response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest, response.StatusCode.ToString());
        });
        var (status, _, _) = await h.InferAsync();
        Assert.Equal(200, status);

        var metrics = await h.Http.GetStringAsync("metrics");
        var models = Regex.Matches(metrics, "model=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToHashSet();
        var series = metrics.Split('\n').Count(l => l.StartsWith("turbine_gateway_requests_total{", StringComparison.Ordinal));

        Assert.DoesNotContain(models, m => m.StartsWith("no-such-model", StringComparison.Ordinal));
        Assert.Contains("_unknown", models);
        Assert.Contains("simple", models);
        Assert.True(series <= 5, $"{series} request series:\n{metrics}");
        Assert.Contains("model=\"_unknown\",pool=\"main\"", metrics, StringComparison.Ordinal);
    }
}
