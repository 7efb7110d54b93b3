using System.Net;
using System.Text;
using System.Text.Json;

namespace Turbine.Gateway.Tests.Security;

/// <summary>Request bytes the gateway holds in memory are bounded by limits.maxBufferedBytes (issue 11, item 5).</summary>
public sealed class RequestBufferBudgetTests
{
    [Fact]
    public async Task Infer_BodyOverBufferBudget_503AndSmallRequestsStillServed()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
            limits:
              maxClassificationBytes: 1024
              maxBufferedBytes: 4096
            """);

        // Valid JSON padded past the budget: kept for retries, it would be held whole.
        var padded = GatewayHarness.SimpleJson().TrimEnd().TrimEnd('}') + ", \"id\": \"" + new string('x', 100_000) + "\"}";
        using var big = await h.Http.PostAsync("v2/models/simple/infer", new StringContent(padded, Encoding.UTF8, "application/json"));
        using var error = JsonDocument.Parse(await big.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, big.StatusCode);
        Assert.Equal("the gateway is holding its limit of 4096 request-body bytes in memory (limits.maxBufferedBytes); retry later", error.RootElement.GetProperty("error").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), big.Headers.RetryAfter?.Delta);
        var (status, _, _) = await h.InferAsync();
        Assert.Equal(200, status);
        Assert.Equal(0, await h.InferCountAsync(0) - 1);
    }

    [Fact]
    public async Task Load_LimitsOutOfRange_RejectedWithPath()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);

        var e = await Assert.ThrowsAsync<Turbine.Gateway.Configuration.GatewayConfigException>(() => h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            limits:
              maxClassificationBytes: 10
            """));

        Assert.Contains("limits.maxClassificationBytes: must be between 1024 and 16777216, got 10", e.Message, StringComparison.Ordinal);
    }
}
