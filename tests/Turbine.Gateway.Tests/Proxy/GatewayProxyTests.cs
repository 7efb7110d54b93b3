using System.Diagnostics;
using System.Net;
using System.Text;
using OpenTelemetry.Trace;
using Turbine.Client;
using Turbine.Gateway.Telemetry;

namespace Turbine.Gateway.Tests.Proxy;

public sealed class GatewayProxyTests
{
    private static string OnePool(GatewayHarness h, string policy = "roundRobin", string extraReplicas = "", string poolExtra = "") => $"""
        pools:
          main:
            policy: {policy}
        {poolExtra}
            replicas:
              - {h.Replica(0)}
        {extraReplicas}
        models:
          "*":
            pool: main
        """;

    [Fact]
    public async Task Rest_ModelAndServerRoutes_AnsweredThroughTheGateway()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(OnePool(h));

        var (status, body, _) = await h.InferAsync(offset: 10);
        Assert.Equal(200, status);
        Assert.Equal(11, body.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
        Assert.Equal("simple", (await new TurbineHttpClient(h.Http).GetModelMetadataAsync("simple")).Name);
        Assert.True(await new TurbineHttpClient(h.Http).IsReadyAsync());
        Assert.Equal("turbine-gateway", (await new TurbineHttpClient(h.Http).GetServerMetadataAsync()).Name);
        Assert.Single(await new TurbineHttpClient(h.Http).GetRepositoryIndexAsync());

        using var unknown = await h.Http.GetAsync("v2/models/nope");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode); // forwarded: the server's own answer (Triton's 400)
        Assert.Contains("Request for unknown model: 'nope' is not found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var noRoute = await h.Http.GetAsync("v3/x");
        Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
        Assert.Equal("{\"error\":\"no endpoint for GET /v3/x\"}", await noRoute.Content.ReadAsStringAsync());

        var metrics = await h.Http.GetStringAsync("metrics");
        Assert.Contains($"turbine_gateway_requests_total{{model=\"simple\",pool=\"main\",backend=\"{h.Servers[0].HttpAddress.ToString().TrimEnd('/')}\",protocol=\"rest\",code=\"200\"}} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("turbine_gateway_request_duration_seconds_bucket{model=\"simple\",pool=\"main\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rest_ModelWithoutRoute_400InTritonsWords()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($"""
            pools:
              main:
                replicas: [{h.Replica(0)}]
            models:
              simple:
                pool: main
            """);
        using var response = await h.Http.GetAsync("v2/models/iris");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"error\":\"Request for unknown model: 'iris' is not found\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forward_ConnectionRefused_RetriedOnAnotherReplica_NoClientFailure()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        var dead = DeadPort();
        await h.StartGatewayAsync(OnePool(h, extraReplicas: $"      - {{http: \"http://127.0.0.1:{dead}\"}}", poolExtra: "    healthCheck: {enabled: false}\n    outlier: {consecutiveFailures: 3, ejectionMs: 60000}"));
        for (var i = 0; i < 20; i++)
        {
            var (status, _, _) = await h.InferAsync(i);
            Assert.Equal(200, status);
        }

        Assert.Equal(20, await h.InferCountAsync(0));
        var metrics = await h.Http.GetStringAsync("metrics");
        Assert.True(metrics.Contains("turbine_gateway_retries_total{model=\"simple\",pool=\"main\"} 3", StringComparison.Ordinal), metrics);
        Assert.Contains("turbine_gateway_retries_total{model=\"simple\",pool=\"main\"} 3", metrics, StringComparison.Ordinal); // then ejected
        Assert.Contains($"turbine_gateway_ejections_total{{pool=\"main\",backend=\"http://127.0.0.1:{dead}\"}} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_OnlyDeadReplicas_502WithTheReason()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        var dead = DeadPort();
        await h.StartGatewayAsync($"""
            pools:
              main:
                healthCheck: {"{enabled: false}"}
                replicas: [{"{http: \"http://127.0.0.1:" + dead + "\"}"}]
            models:
              "*": {"{pool: main}"}
            """);
        var (status, body, _) = await h.InferAsync();
        Assert.Equal(502, status);
        Assert.Contains("pool 'main'", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_EveryRpc_ThroughTheGateway()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(OnePool(h));
        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        Assert.True(await grpc.IsLiveAsync());
        Assert.True(await grpc.IsReadyAsync());
        Assert.True(await grpc.IsModelReadyAsync("simple"));
        Assert.False(await grpc.IsModelReadyAsync("nope"));
        Assert.False(string.IsNullOrEmpty((await grpc.GetServerMetadataAsync()).Name));
        Assert.Equal(2, (await grpc.GetModelMetadataAsync("simple")).Inputs.Count);
        using (var config = await grpc.GetModelConfigAsync("simple"))
        {
            Assert.Equal("simple", config.RootElement.GetProperty("name").GetString());
        }

        var result = await grpc.InferAsync("simple", Inputs(5));
        Assert.Equal(6, result.GetOutput("OUTPUT0").AsArray<int>()[0]);
        var streamed = new List<int>();
        await foreach (var r in grpc.StreamInferAsync(StreamRequests(3)))
        {
            streamed.Add(r.GetResult().GetOutput("OUTPUT0").AsArray<int>()[0]);
        }

        Assert.Equal([1, 2, 3], streamed);
        using (var stats = await grpc.GetModelStatisticsAsync("simple"))
        {
            Assert.Contains("simple", stats.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        using (var all = await grpc.GetModelStatisticsAsync())
        {
            Assert.Contains("simple", all.RootElement.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Single(await grpc.GetRepositoryIndexAsync());

        // Load/unload reach the replica: in 'none' control mode it refuses both, exactly as it does directly.
        using var direct = new TurbineGrpcClient(h.Servers[0].GrpcAddress);
        var viaGateway = await Assert.ThrowsAsync<TurbineClientException>(() => grpc.UnloadModelAsync("simple"));
        var viaDirect = await Assert.ThrowsAsync<TurbineClientException>(() => direct.UnloadModelAsync("simple"));
        Assert.Equal(viaDirect.GrpcStatusCode, viaGateway.GrpcStatusCode);
        Assert.Equal(viaDirect.ServerMessage, viaGateway.ServerMessage);
        var load = await Assert.ThrowsAsync<TurbineClientException>(() => grpc.LoadModelAsync("simple"));
        Assert.Equal((await Assert.ThrowsAsync<TurbineClientException>(() => direct.LoadModelAsync("simple"))).ServerMessage, load.ServerMessage);

        Assert.Equal(4, await h.InferCountAsync(0));
        var metrics = await h.Http.GetStringAsync("metrics");
        Assert.Contains("protocol=\"grpc\",code=\"200\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_ModelWithoutRoute_InvalidArgumentInTritonsWords()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($"""
            pools:
              main:
                replicas: [{h.Replica(0)}]
            models:
              iris: {"{pool: main}"}
            """);
        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => grpc.InferAsync("simple", Inputs(0)));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, e.GrpcStatusCode);
        Assert.Equal("Request for unknown model: 'simple' is not found", e.ServerMessage);
    }

    [Fact]
    public async Task Traceparent_ServerSpansJoinTheCallersTrace()
    {
        var spans = new List<Activity>();
        await using var h = await GatewayHarness.StartServersAsync(1, t => t.AddInMemoryExporter(spans));
        await h.StartGatewayAsync(OnePool(h));
        var traceId = ActivityTraceId.CreateRandom();
        var parent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";
        var (status, _, _) = await h.InferAsync(configure: r => r.Headers.Add("traceparent", parent));
        Assert.Equal(200, status);
        // Servers of tests running in parallel export to every in-memory list: look for this trace's span.
        Assert.True(await GatewayHarness.EventuallyAsync(() => Task.FromResult(Snapshot(spans).Any(s => s.OperationName == "turbine.infer" && s.TraceId == traceId))));
    }

    [Fact]
    public async Task Traceparent_WithGatewaySpans_ServerSpanIsTheGatewaySpansChild()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == GatewayTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var serverSpans = new List<Activity>();
        await using var h = await GatewayHarness.StartServersAsync(1, t => t.AddInMemoryExporter(serverSpans));
        await h.StartGatewayAsync(OnePool(h));
        var traceId = ActivityTraceId.CreateRandom();
        var (status, _, _) = await h.InferAsync(configure: r => r.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01"));
        Assert.Equal(200, status);
        // The gateway's span ends when ForwardAsync returns, which may be just after the client has its answer.
        Assert.True(await GatewayHarness.EventuallyAsync(() => Task.FromResult(
            Snapshot(serverSpans).Any(s => s.OperationName == "turbine.infer" && s.TraceId == traceId)
            && Snapshot(spans).Any(s => s.OperationName == "turbine.gateway.forward" && s.TraceId == traceId))));
        var gateway = Snapshot(spans).Single(s => s.OperationName == "turbine.gateway.forward" && s.TraceId == traceId);
        var server = Snapshot(serverSpans).First(s => s.OperationName == "turbine.infer" && s.TraceId == traceId);
        Assert.NotEqual(default, server.ParentSpanId);
        Assert.Equal("main", gateway.GetTagItem("turbine.pool"));
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    internal static InferInput[] Inputs(int offset) =>
    [
        new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(offset, 16).ToArray()),
        new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
    ];

    private static async IAsyncEnumerable<InferStreamRequest> StreamRequests(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return new InferStreamRequest("simple", Inputs(i));
        }
    }

    /// <summary>A loopback port with nothing listening: connections are refused.</summary>
    internal static int DeadPort() => Loopback.FreePort();
}
