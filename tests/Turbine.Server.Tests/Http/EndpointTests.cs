using System.Text.Json;

namespace Turbine.Server.Tests.Http;

public sealed class EndpointTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Fact]
    public async Task Health_LiveAndReady_Return200WithFlags()
    {
        var (liveStatus, live) = await H.GetJsonAsync("/v2/health/live");
        var (readyStatus, ready) = await H.GetJsonAsync("/v2/health/ready");
        Assert.Equal(200, liveStatus);
        Assert.True(live.GetProperty("live").GetBoolean());
        Assert.Equal(200, readyStatus);
        Assert.True(ready.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task ServerMetadata_ListsImplementedExtensions()
    {
        var (status, body) = await H.GetJsonAsync("/v2");
        Assert.Equal(200, status);
        Assert.Equal("turbine", body.GetProperty("name").GetString());
        var extensions = body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("binary_tensor_data", extensions);
        Assert.Contains("classification", extensions);
        Assert.Contains("model_repository", extensions);
        Assert.Contains("statistics", extensions);
        Assert.Contains("sequence", extensions);
    }

    [Theory]
    [InlineData("/v2/models/simple")]
    [InlineData("/v2/models/simple/versions/1")]
    public async Task ModelMetadata_Simple_HasTritonShapes(string path)
    {
        var (status, body) = await H.GetJsonAsync(path);
        Assert.Equal(200, status);
        Assert.Equal("simple", body.GetProperty("name").GetString());
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        Assert.Equal(["1"], body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!));
        var input = body.GetProperty("inputs")[0];
        Assert.Equal("INPUT0", input.GetProperty("name").GetString());
        Assert.Equal("INT32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 16L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task ModelMetadata_UnknownModel_Returns400NamingIt()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/nosuch");
        Assert.Equal(400, status);
        Assert.Contains("'nosuch'", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelMetadata_UnknownVersion_Returns404Or503NamingVersion()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/simple/versions/7");
        Assert.True(status is 404 or 503, $"status {status}");
        Assert.Contains("version 7", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelMetadata_NonNumericVersion_Returns400()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/simple/versions/abc");
        Assert.Equal(400, status);
        Assert.Contains("'abc'", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelReady_ReadyAndUnknown()
    {
        var (okStatus, ok) = await H.GetJsonAsync("/v2/models/simple/ready");
        Assert.Equal(200, okStatus);
        Assert.True(ok.GetProperty("ready").GetBoolean());
        Assert.Equal("simple", ok.GetProperty("name").GetString());
        // Triton answers an unknown model's readiness with its unknown-model error, not "not ready".
        var (noStatus, no) = await H.GetJsonAsync("/v2/models/nosuch/ready");
        Assert.Equal(400, noStatus);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", no.GetProperty("error").GetString());
        var (versionStatus, version) = await H.GetJsonAsync("/v2/models/simple/versions/9/ready");
        Assert.Equal(404, versionStatus);
        Assert.Equal("Request for unknown model: 'simple' version 9 is not found", version.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Config_Simple_IsTritonJson()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/simple/config");
        Assert.Equal(200, status);
        Assert.Equal("simple", body.GetProperty("name").GetString());
        Assert.Equal(8, body.GetProperty("max_batch_size").GetInt32());
        Assert.Equal("TYPE_INT32", body.GetProperty("input")[0].GetProperty("data_type").GetString());
        Assert.Equal(16, body.GetProperty("input")[0].GetProperty("dims")[0].GetInt64());
        Assert.Equal("KIND_CPU", body.GetProperty("instance_group")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Config_ModelWithoutConfigFile_IsAutoCompletedWithDefaultBatch()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/identity_fp32/config");
        Assert.Equal(200, status);
        Assert.Equal(4, body.GetProperty("max_batch_size").GetInt32());
        Assert.Equal("INPUT0", body.GetProperty("input")[0].GetProperty("name").GetString());
        Assert.Equal("TYPE_FP32", body.GetProperty("output")[0].GetProperty("data_type").GetString());
        Assert.Equal(-1, body.GetProperty("input")[0].GetProperty("dims")[0].GetInt64());
    }

    [Fact]
    public async Task RepositoryIndex_ListsEveryModelReady()
    {
        var (status, body) = await H.PostJsonAsync("/v2/repository/index", "{}");
        Assert.Equal(200, status);
        var rows = body.EnumerateArray().ToList();
        Assert.Equal(
            ["accumulator", "identity_fp32", "iris", "simple", "simple_identity", "simple_int8", "simple_string"],
            rows.Select(r => r.GetProperty("name").GetString()!));
        Assert.All(rows, r => Assert.Equal("READY", r.GetProperty("state").GetString()));
        Assert.All(rows, r => Assert.Equal("1", r.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task RepositoryLoad_InModeNone_Returns501()
    {
        var (status, body) = await H.PostJsonAsync("/v2/repository/models/simple/load", "{}");
        Assert.Equal(501, status);
        Assert.Contains("explicit", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Statistics_CountRequestsOfAModel()
    {
        // iris is used by no other test in this class, so its counters belong to this test.
        var before = await StatsAsync("iris");
        const string body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8,9,10,11,12]}]}";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await H.PostJsonAsync("/v2/models/iris/infer", body)).Status);
        }

        Assert.Equal(400, (await H.PostJsonAsync("/v2/models/iris/infer", "{\"inputs\":[]}")).Status);
        var after = await StatsAsync("iris");
        var stats = after.GetProperty("inference_stats");
        Assert.Equal(5, stats.GetProperty("success").GetProperty("count").GetInt64() - before.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
        Assert.Equal(1, stats.GetProperty("fail").GetProperty("count").GetInt64() - before.GetProperty("inference_stats").GetProperty("fail").GetProperty("count").GetInt64());
        Assert.Equal(15, after.GetProperty("inference_count").GetInt64() - before.GetProperty("inference_count").GetInt64());
        Assert.Equal(5, after.GetProperty("execution_count").GetInt64() - before.GetProperty("execution_count").GetInt64());
        Assert.True(stats.GetProperty("compute_infer").GetProperty("ns").GetInt64() > 0);
        Assert.True(after.GetProperty("last_inference").GetInt64() > 0);
        var batch3 = after.GetProperty("batch_stats").EnumerateArray().Single(b => b.GetProperty("batch_size").GetInt64() == 3);
        Assert.True(batch3.GetProperty("compute_infer").GetProperty("count").GetInt64() >= 5);
    }

    [Fact]
    public async Task Statistics_AllModels_ListsEveryServingModel()
    {
        var (status, body) = await H.GetJsonAsync("/v2/models/stats");
        Assert.Equal(200, status);
        Assert.Equal(7, body.GetProperty("model_stats").GetArrayLength());
    }

    [Fact]
    public async Task UnknownRoute_Returns404Json()
    {
        var (status, body) = await H.GetJsonAsync("/v3/nothing");
        Assert.Equal(404, status);
        Assert.Contains("/v3/nothing", body.GetProperty("error").GetString());
    }

    private async Task<JsonElement> StatsAsync(string model)
    {
        var (status, body) = await H.GetJsonAsync($"/v2/models/{model}/stats");
        Assert.Equal(200, status);
        return body.GetProperty("model_stats")[0];
    }
}
