using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>GET /metrics on a real server: the values equal what was sent.</summary>
public sealed class MetricsTests
{
    private const string SimpleInfer = "/v2/models/simple/infer";

    [Fact]
    public async Task Metrics_HttpRequests_CountersAndHistogramEqualRequestsSent()
    {
        await using var harness = await ServerHarness.StartAsync();
        const int n = 7;
        for (var i = 0; i < n; i++)
        {
            var (status, _) = await harness.PostJsonAsync(SimpleInfer, ServerHarness.SimpleJson(offset: i * 100));
            Assert.Equal(200, status);
        }

        var scrape = await MetricsScrape.GetAsync(harness.Server);
        var simple = ("model", "simple");
        Assert.Equal(n, scrape.Sum("nv_inference_request_success", simple));
        Assert.Equal(0, scrape.Sum("nv_inference_request_failure", simple));
        Assert.Equal(n, scrape.Sum("nv_inference_count", simple));
        Assert.Equal(n, scrape.Sum("turbine_request_duration_seconds_count", simple, ("protocol", "http"), ("outcome", "success")));
        Assert.Equal(n, scrape.Sum("turbine_request_duration_seconds_bucket", simple, ("protocol", "http"), ("outcome", "success"), ("le", "+Inf")));
        Assert.Equal(0, scrape.Sum("turbine_request_duration_seconds_count", simple, ("protocol", "grpc")));
        Assert.True(scrape.Sum("turbine_request_duration_seconds_sum", simple) > 0);

        // One execution per batch: the exec counter, the batch-size histogram count and the batch statistics agree.
        var exec = scrape.Sum("nv_inference_exec_count", simple);
        Assert.InRange(exec, 1, n);
        Assert.Equal(exec, scrape.Sum("turbine_batch_size_count", simple));
        Assert.Equal(n, scrape.Sum("turbine_batch_size_sum", simple));
        Assert.True(scrape.Sum("nv_inference_request_duration_us", simple) > 0);
        Assert.True(scrape.Sum("nv_inference_compute_infer_duration_us", simple) > 0);
        Assert.Equal(0, scrape.Sum("nv_inference_pending_request_count", simple));
        Assert.Equal(1, scrape.Sum("turbine_model_state", simple, ("state", "ready")));
        Assert.Equal(0, scrape.Sum("turbine_model_state", simple, ("state", "unavailable")));
        Assert.True(scrape.Sum("turbine_model_load_duration_seconds", simple) > 0);
        Assert.True(scrape.Sum("process_resident_memory_bytes") > 0);
        Assert.True(scrape.Sum("nv_cpu_memory_total_bytes") >= scrape.Sum("nv_cpu_memory_used_bytes"));
        Assert.InRange(scrape.Sum("nv_cpu_utilization"), 0, 1);
    }

    [Fact]
    public async Task Metrics_ModelReloadedWithWarmup_WarmupDurationIsThePartOfTheLoadItTook()
    {
        await using var harness = await ServerHarness.StartAsync(Turbine.Core.Lifecycle.ModelControlMode.Explicit, startupModels: ["simple"]);
        var simple = ("model", "simple");
        var before = await MetricsScrape.GetAsync(harness.Server);
        Assert.Contains("turbine_model_warmup_duration_seconds", before.Families);
        Assert.Equal(0, before.Sum("turbine_model_warmup_duration_seconds", simple)); // the sample config has no model_warmup

        // The same model with 200 warm-up runs of random data: the warm-up now takes time, and it is part of the load.
        const string config = """
            {"name":"simple","platform":"onnxruntime_onnx","max_batch_size":8,
             "input":[{"name":"INPUT0","data_type":"TYPE_INT32","dims":[16]},{"name":"INPUT1","data_type":"TYPE_INT32","dims":[16]}],
             "output":[{"name":"OUTPUT0","data_type":"TYPE_INT32","dims":[16]},{"name":"OUTPUT1","data_type":"TYPE_INT32","dims":[16]}],
             "model_warmup":[{"name":"w","batch_size":8,"count":200,"inputs":{
               "INPUT0":{"data_type":"TYPE_INT32","dims":[16],"random_data":true},
               "INPUT1":{"data_type":"TYPE_INT32","dims":[16],"random_data":true}}}]}
            """;
        var (status, body) = await harness.PostJsonAsync("/v2/repository/models/simple/load",
            $"{{\"parameters\":{{\"config\":{System.Text.Json.JsonSerializer.Serialize(config)}}}}}");
        Assert.True(status == 200, body.ToString());

        var after = await MetricsScrape.GetAsync(harness.Server);
        var warmup = after.Sum("turbine_model_warmup_duration_seconds", simple);
        Assert.True(warmup > 0, after.Text);
        Assert.True(warmup <= after.Sum("turbine_model_load_duration_seconds", simple));
    }

    [Fact]
    public async Task Metrics_GrpcRequests_CountedUnderGrpcProtocol()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var client = new GrpcTestClient(harness.Server.GrpcAddress);
        const int n = 5;
        for (var i = 0; i < n; i++)
        {
            await client.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(offset: i * 100));
        }

        var scrape = await MetricsScrape.GetAsync(harness.Server);
        Assert.Equal(n, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("protocol", "grpc"), ("outcome", "success")));
        Assert.Equal(0, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("protocol", "http")));
        Assert.Equal(n, scrape.Sum("nv_inference_request_success", ("model", "simple")));
    }

    [Fact]
    public async Task Metrics_BadRequests_FailuresCountedByReason()
    {
        await using var harness = await ServerHarness.StartAsync();
        const int m = 4;
        // INPUT0 declared FP32: the JSON reads, the engine's validation rejects the datatype (INT32 expected).
        var badType = ServerHarness.SimpleJson().Replace("\"datatype\":\"INT32\"", "\"datatype\":\"FP32\"", StringComparison.Ordinal);
        for (var i = 0; i < m; i++)
        {
            var (status, _) = await harness.PostJsonAsync(SimpleInfer, badType);
            Assert.Equal(400, status);
        }

        var (missing, _) = await harness.PostJsonAsync("/v2/models/nosuch/infer", ServerHarness.SimpleJson());
        Assert.Equal(400, missing);
        var (ok, _) = await harness.PostJsonAsync(SimpleInfer, ServerHarness.SimpleJson());
        Assert.Equal(200, ok);

        var scrape = await MetricsScrape.GetAsync(harness.Server);
        Assert.Equal(m, scrape.Sum("turbine_request_failures_total", ("model", "simple"), ("reason", "invalid_argument")));
        Assert.Equal(m, scrape.Sum("turbine_request_failures_total", ("model", "simple")));
        Assert.Equal(1, scrape.Sum("turbine_request_failures_total", ("model", Turbine.Server.Telemetry.ServerMetrics.UnknownModelLabel), ("reason", "invalid_argument")));
        Assert.DoesNotContain("nosuch", scrape.Text);
        Assert.Equal(m, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("outcome", "invalid_argument")));
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("outcome", "success")));
        Assert.Equal(1, scrape.Sum("nv_inference_request_success", ("model", "simple")));

        // The engine saw the mistyped requests (rejected by validation) and counts them as Triton does.
        Assert.Equal(m, scrape.Sum("nv_inference_request_failure", ("model", "simple")));
    }

    [Fact]
    public async Task Metrics_Ports_MetricsOnlyOnMetricsPort()
    {
        await using var harness = await ServerHarness.StartAsync();
        Assert.NotEqual(harness.Server.HttpAddress.Port, harness.Server.MetricsAddress.Port);
        Assert.NotEqual(0, harness.Server.MetricsAddress.Port);
        using var onHttpPort = await harness.Http.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, onHttpPort.StatusCode);
        using var http = new HttpClient();
        using var other = await http.GetAsync(new Uri(harness.Server.MetricsAddress, "/v2/health/ready"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public void Parse_LabelsWithEscapes_ReadBack()
    {
        var scrape = MetricsScrape.Parse("# TYPE a counter\na{model=\"x\\\"y\",version=\"1\"} 3\nb 2.5\n");
        Assert.Contains("a", scrape.Families);
        Assert.Equal(3, scrape.Sum("a", ("model", "x\\\"y"), ("version", "1")));
        Assert.Equal(2.5, scrape.Sum("b"));
    }
}
