using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// The gateway as a real process in front of three real <c>turbine serve</c> processes (issue 7's "what must be
/// shown"): canary share, sticky A/B, shadow, balancing away from a slowed replica, every gRPC rpc. Shares are
/// counted at the replicas (their statistics endpoint) and by the model version in each answer.
/// </summary>
public sealed partial class GatewayTests(ReplicaSet replicas) : IClassFixture<ReplicaSet>
{
    private Task<GatewayProcess> StartGatewayAsync(string yaml) => GatewayProcess.StartAsync(replicas.Root, yaml);

    [Fact]
    public async Task Canary_TenPercent_Of5000Requests_LandsWithinTwoPoints()
    {
        await using var gateway = await StartGatewayAsync($"""
            pools:
              main:
                policy: leastRequests
                replicas: [{replicas.Yaml(0)}, {replicas.Yaml(1)}]
              canary:
                replicas: [{replicas.Yaml(2)}]
            models:
              simple:
                split:
                  - {"{pool: main, weight: 90}"}
                  - {"{pool: canary, weight: 10}"}
            """);
        var before = await replicas.InferCountAsync(2);
        var results = await gateway.LoadAsync(5000, workers: 8);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        var canary = results.Count(r => r.Version == "2");
        Assert.InRange(canary, 400, 600); // 10 % ± 2 points of 5,000
        Assert.Equal(canary, await replicas.InferCountAsync(2) - before);
    }

    [Fact]
    public async Task AbTest_SameKey_AlwaysSameVariant()
    {
        await using var gateway = await StartGatewayAsync($"""
            pools:
              a: {"{replicas: [" + replicas.Yaml(0) + "]}"}
              b: {"{replicas: [" + replicas.Yaml(2) + "]}"}
            models:
              simple:
                abTest:
                  stickyHeader: x-user
                  header: x-variant
                  variants:
                    - {"{name: a, pool: a}"}
                    - {"{name: b, pool: b}"}
            """);
        var seen = new Dictionary<string, HashSet<string?>>();
        for (var round = 0; round < 5; round++)
        {
            for (var user = 0; user < 40; user++)
            {
                var key = "user-" + user;
                var (status, version) = await gateway.InferAsync(user, r => r.Headers.Add("x-user", key));
                Assert.Equal(200, status);
                (seen.TryGetValue(key, out var set) ? set : seen[key] = []).Add(version);
            }
        }

        Assert.All(seen.Values, s => Assert.Single(s));
        Assert.Contains(seen.Values, s => s.Contains("1"));
        Assert.Contains(seen.Values, s => s.Contains("2"));

        // An explicit variant header wins over the sticky assignment.
        Assert.Equal("2", (await gateway.InferAsync(0, r => { r.Headers.Add("x-user", "user-0"); r.Headers.Add("x-variant", "b"); })).Version);
    }

    [Fact]
    public async Task Shadow_PoolReceivesEveryRequest_ClientSeesOnlyPrimaryAnswers()
    {
        await using var gateway = await StartGatewayAsync($"""
            pools:
              primary: {"{replicas: [" + replicas.Yaml(0) + "]}"}
              shadow: {"{replicas: [" + replicas.Yaml(2) + "]}"}
            models:
              simple:
                pool: primary
                shadow: {"{pool: shadow}"}
            """);
        var before = await replicas.InferCountAsync(2);
        var results = await gateway.LoadAsync(300, workers: 4);
        Assert.All(results, r => Assert.Equal((200, "1"), r));
        Assert.True(await Eventually(async () => await replicas.InferCountAsync(2) - before == 300), "the shadow replica did not receive every request");
        var metrics = await gateway.Client.GetStringAsync("metrics");
        Assert.Contains("turbine_gateway_shadow_requests_total{model=\"simple\",pool=\"shadow\"} 300", metrics, StringComparison.Ordinal);
        Assert.Contains("turbine_gateway_shadow_differences_total{model=\"simple\",pool=\"shadow\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("turbine_gateway_shadow_errors_total{model=\"simple\",pool=\"shadow\"} 0", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("leastRequests")]
    [InlineData("powerOfTwoChoices")]
    [InlineData("peakEwma")]
    public async Task Balancing_SlowedReplica_GetsFarLessThanItsShare(string policy)
    {
        await using var slow = new DelayProxy(replicas.Replicas[2].Http, TimeSpan.FromMilliseconds(40));
        await using var gateway = await StartGatewayAsync($"""
            pools:
              main:
                policy: {policy}
                replicas: [{replicas.Yaml(0)}, {replicas.Yaml(1)}, {replicas.Yaml(2, slow.Address)}]
            models:
              simple: {"{pool: main}"}
            """);
        var before = await Task.WhenAll(Enumerable.Range(0, 3).Select(replicas.InferCountAsync));
        var results = await gateway.LoadAsync(300, workers: 8);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        var after = await Task.WhenAll(Enumerable.Range(0, 3).Select(replicas.InferCountAsync));
        var counts = Enumerable.Range(0, 3).Select(i => after[i] - before[i]).ToArray();
        Assert.Equal(300, counts.Sum());
        Assert.True(counts[2] < 300 * 0.15, $"{policy}: the slowed replica got {counts[2]} of 300 (fair share 100); counts {string.Join(",", counts)}");
    }

    [Fact]
    public async Task Grpc_EveryRpc_ThroughTheGateway()
    {
        await using var gateway = await StartGatewayAsync($"""
            pools:
              main:
                replicas: [{replicas.Yaml(0)}, {replicas.Yaml(1)}]
            models:
              "*": {"{pool: main}"}
            """);
        using var grpc = new TurbineGrpcClient(gateway.Grpc);
        using var direct = new TurbineGrpcClient(replicas.Replicas[0].Grpc);
        Assert.True(await grpc.IsLiveAsync());
        Assert.True(await grpc.IsReadyAsync());
        Assert.True(await grpc.IsModelReadyAsync("simple"));
        Assert.Equal((await direct.GetServerMetadataAsync()).Name, (await grpc.GetServerMetadataAsync()).Name);
        Assert.Equal(["1"], (await grpc.GetModelMetadataAsync("simple")).Versions);
        using (var config = await grpc.GetModelConfigAsync("simple"))
        {
            Assert.Equal("simple", config.RootElement.GetProperty("name").GetString());
        }

        using (var stats = await grpc.GetModelStatisticsAsync("simple"))
        {
            Assert.Contains("inference_stats", stats.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Equal("READY", Assert.Single(await grpc.GetRepositoryIndexAsync()).State);
        var result = await grpc.InferAsync("simple", Inputs(41));
        Assert.Equal(42, result.GetOutput("OUTPUT0").AsArray<int>()[0]);
        var streamed = new List<int>();
        await foreach (var r in grpc.StreamInferAsync(Requests(4)))
        {
            streamed.Add(r.GetResult().GetOutput("OUTPUT0").AsArray<int>()[0]);
        }

        Assert.Equal([1, 2, 3, 4], streamed);
        var load = await Assert.ThrowsAsync<TurbineClientException>(() => grpc.LoadModelAsync("simple"));
        Assert.Equal((await Assert.ThrowsAsync<TurbineClientException>(() => direct.LoadModelAsync("simple"))).ServerMessage, load.ServerMessage);
        var unload = await Assert.ThrowsAsync<TurbineClientException>(() => grpc.UnloadModelAsync("simple"));
        Assert.Equal((await Assert.ThrowsAsync<TurbineClientException>(() => direct.UnloadModelAsync("simple"))).ServerMessage, unload.ServerMessage);
    }

    internal static InferInput[] Inputs(int offset) =>
    [
        new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(offset, 16).ToArray()),
        new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
    ];

    private static async IAsyncEnumerable<InferStreamRequest> Requests(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return new InferStreamRequest("simple", Inputs(i));
        }
    }

    internal static Task<bool> Eventually(Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
}
