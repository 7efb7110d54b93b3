using System.Net;
using System.Text;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>Concurrency limits and 503 retries against scripted backends.</summary>
public sealed class GatewayLimitsTests
{
    private static string Pool(string policy, string extra, params ScriptedBackend[] backends) => $"""
        pools:
          main:
            policy: {policy}
            healthCheck: {"{enabled: false}"}
        {extra}
            replicas: [{string.Join(", ", backends.Select(b => "{http: \"" + b.Address.ToString().TrimEnd('/') + "\"}"))}]
        models:
          "*": {"{pool: main}"}
        accessLog: {"{enabled: false}"}
        """;

    [Fact]
    public async Task ConcurrencyLimit_EveryReplicaFull_429WithRetryAfter()
    {
        await using var backend = await ScriptedBackend.StartAsync(200, "{\"ok\":true}", hold: true);
        await using var h = await GatewayHarness.StartServersAsync(0);
        await h.StartGatewayAsync(Pool("leastRequests", "    maxConcurrencyPerReplica: 1", backend));
        var first = h.Http.PostAsync("v2/models/m/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.True(await GatewayHarness.EventuallyAsync(() => Task.FromResult(backend.Received == 1)));

        using var second = await h.Http.PostAsync("v2/models/m/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        Assert.Equal("{\"error\":\"every replica of pool 'main' is at its concurrency limit (1 requests in flight)\"}", await second.Content.ReadAsStringAsync());

        backend.Release();
        using var done = await first;
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(1, backend.Received);
    }

    [Fact]
    public async Task Replica503_RetriedOnAnother_ClientSeesTheHealthyAnswer()
    {
        await using var unavailable = await ScriptedBackend.StartAsync(503, "{\"error\":\"model 'm' is not ready\"}");
        await using var healthy = await ScriptedBackend.StartAsync(200, "{\"from\":\"healthy\"}");
        await using var h = await GatewayHarness.StartServersAsync(0);
        await h.StartGatewayAsync(Pool("roundRobin", "    outlier: {consecutiveFailures: 100}", unavailable, healthy));
        for (var i = 0; i < 6; i++)
        {
            using var response = await h.Http.PostAsync("v2/models/m/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"from\":\"healthy\"}", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(6, unavailable.Received); // round robin: each first pick lands on it, each retry on the other
        Assert.Equal(6, healthy.Received);
        Assert.Contains("turbine_gateway_retries_total{model=\"m\",pool=\"main\"} 6", await h.Http.GetStringAsync("metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replica503_NoOtherReplica_503WithTheReason()
    {
        await using var unavailable = await ScriptedBackend.StartAsync(503, "{\"error\":\"model 'm' is not ready\"}");
        await using var h = await GatewayHarness.StartServersAsync(0);
        await h.StartGatewayAsync(Pool("roundRobin", "", unavailable));
        using var response = await h.Http.PostAsync("v2/models/m/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("answered 503", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replica503_RetriesOff_PassedThroughAsIs()
    {
        await using var unavailable = await ScriptedBackend.StartAsync(503, "{\"error\":\"model 'm' is not ready\"}");
        await using var healthy = await ScriptedBackend.StartAsync(200, "{}");
        await using var h = await GatewayHarness.StartServersAsync(0);
        await h.StartGatewayAsync(Pool("roundRobin", "    retry: {maxAttempts: 1}", unavailable, healthy));
        using var response = await h.Http.PostAsync("v2/models/m/infer", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"error\":\"model 'm' is not ready\"}", await response.Content.ReadAsStringAsync());
    }
}
