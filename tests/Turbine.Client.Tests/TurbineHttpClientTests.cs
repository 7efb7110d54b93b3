using System.Text.Json;
using Turbine.Client.Tests.Infrastructure;

namespace Turbine.Client.Tests;

public sealed class TurbineHttpClientTests
{
    [Fact]
    public async Task IsLiveAsync_Status200_ReturnsTrueAndUsesLivePath()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"live":true}"""));
        using var client = server.CreateClient();

        Assert.True(await client.IsLiveAsync());
        Assert.Equal("GET", server.LastRequest.Method);
        Assert.Equal("/v2/health/live", server.LastRequest.RawTarget);
    }

    [Fact]
    public async Task IsReadyAsync_Status503_ReturnsFalse()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"ready":false}""", 503));
        using var client = server.CreateClient();

        Assert.False(await client.IsReadyAsync());
        Assert.Equal("/v2/health/ready", server.LastRequest.RawTarget);
    }

    [Fact]
    public async Task IsModelReadyAsync_WithVersion_UsesVersionPathAndReturnsStatus()
    {
        await using var server = await LoopbackServer.StartAsync(r =>
            r.RawTarget.Contains("/versions/2/", StringComparison.Ordinal)
                ? CannedResponse.Json("""{"name":"m","ready":true}""")
                : CannedResponse.Json("""{"error":"not ready"}""", 400));
        using var client = server.CreateClient();

        Assert.True(await client.IsModelReadyAsync("m", "2"));
        Assert.Equal("/v2/models/m/versions/2/ready", server.LastRequest.RawTarget);
        Assert.False(await client.IsModelReadyAsync("m"));
        Assert.Equal("/v2/models/m/ready", server.LastRequest.RawTarget);
    }

    [Fact]
    public async Task GetServerMetadataAsync_Response_ParsesNameVersionExtensions()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(
            """{"name":"turbine","version":"0.1.0","extensions":["binary_tensor_data","statistics"]}"""));
        using var client = server.CreateClient();

        var metadata = await client.GetServerMetadataAsync();

        Assert.Equal("/v2", server.LastRequest.RawTarget);
        Assert.Equal("turbine", metadata.Name);
        Assert.Equal("0.1.0", metadata.Version);
        Assert.Equal(["binary_tensor_data", "statistics"], metadata.Extensions);
    }

    [Fact]
    public async Task GetModelMetadataAsync_Response_ParsesTensorsWithVariableDims()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""
            {"name":"iris","versions":["1","2"],"platform":"onnxruntime_onnx",
             "inputs":[{"name":"X","datatype":"FP32","shape":[-1,4]}],
             "outputs":[{"name":"label","datatype":"INT64","shape":[-1]},{"name":"probs","datatype":"FP32","shape":[-1,3]}]}
            """));
        using var client = server.CreateClient();

        var metadata = await client.GetModelMetadataAsync("iris", "2");

        Assert.Equal("/v2/models/iris/versions/2", server.LastRequest.RawTarget);
        Assert.Equal("iris", metadata.Name);
        Assert.Equal(["1", "2"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal(("X", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal(["label", "probs"], metadata.Outputs.Select(o => o.Name).ToArray());
        Assert.Equal([-1L, 3L], metadata.Outputs[1].Shape);
    }

    [Fact]
    public async Task GetModelMetadataAsync_NotFound_ThrowsWithStatusAndMessage()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"error":"unknown model 'nope'"}""", 404));
        using var client = server.CreateClient();

        var ex = await Assert.ThrowsAsync<TurbineClientException>(() => client.GetModelMetadataAsync("nope"));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("unknown model 'nope'", ex.ServerMessage);
    }

    [Fact]
    public async Task GetModelConfigAsync_Response_ReturnsDocumentFromConfigPath()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"name":"m","max_batch_size":8}"""));
        using var client = server.CreateClient();

        using var config = await client.GetModelConfigAsync("m");

        Assert.Equal("/v2/models/m/config", server.LastRequest.RawTarget);
        Assert.Equal(8, config.RootElement.GetProperty("max_batch_size").GetInt32());
    }

    [Theory]
    [InlineData(null, null, "/v2/models/stats")]
    [InlineData("m", null, "/v2/models/m/stats")]
    [InlineData("m", "3", "/v2/models/m/versions/3/stats")]
    public async Task GetModelStatisticsAsync_ModelAndVersion_UsesStatsPath(string? model, string? version, string expectedPath)
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"model_stats":[{"name":"m"}]}"""));
        using var client = server.CreateClient();

        using var stats = await client.GetModelStatisticsAsync(model, version);

        Assert.Equal(expectedPath, server.LastRequest.RawTarget);
        Assert.Equal("m", stats.RootElement.GetProperty("model_stats")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(true, """{"ready":true}""")]
    [InlineData(false, """{"ready":false}""")]
    public async Task GetRepositoryIndexAsync_ReadyFlag_PostsBodyAndParsesItems(bool readyOnly, string expectedBody)
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(
            """[{"name":"a","version":"1","state":"READY","reason":""},{"name":"b","state":"UNAVAILABLE","reason":"unloaded"}]"""));
        using var client = server.CreateClient();

        var index = await client.GetRepositoryIndexAsync(readyOnly);

        Assert.Equal("POST", server.LastRequest.Method);
        Assert.Equal("/v2/repository/index", server.LastRequest.RawTarget);
        Assert.Equal(expectedBody, System.Text.Encoding.UTF8.GetString(server.LastRequest.Body));
        Assert.Equal(new RepositoryIndexItem("a", "1", "READY", ""), index[0]);
        Assert.Equal(new RepositoryIndexItem("b", null, "UNAVAILABLE", "unloaded"), index[1]);
    }

    [Fact]
    public async Task LoadModelAsync_WithConfig_PostsConfigAsJsonString()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("{}"));
        using var client = server.CreateClient();
        const string Config = """{"max_batch_size":4,"backend":"onnxruntime"}""";

        await client.LoadModelAsync("my model", Config);

        var request = server.LastRequest;
        Assert.Equal("/v2/repository/models/my%20model/load", request.RawTarget);
        Assert.Equal("application/json", request.Header("Content-Type"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(Config, body.RootElement.GetProperty("parameters").GetProperty("config").GetString());
    }

    [Fact]
    public async Task LoadModelAsync_WithoutConfig_PostsEmptyObject()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("{}"));
        using var client = server.CreateClient();

        await client.LoadModelAsync("m");

        Assert.Equal("/v2/repository/models/m/load", server.LastRequest.RawTarget);
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(server.LastRequest.Body));
    }

    [Fact]
    public async Task UnloadModelAsync_ServerError_PostsEmptyObjectAndThrows()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"error":"explicit model control is off"}""", 501));
        using var client = server.CreateClient();

        var ex = await Assert.ThrowsAsync<TurbineClientException>(() => client.UnloadModelAsync("m"));

        Assert.Equal("/v2/repository/models/m/unload", server.LastRequest.RawTarget);
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(server.LastRequest.Body));
        Assert.Equal(501, ex.StatusCode);
        Assert.Equal("explicit model control is off", ex.ServerMessage);
    }

    [Fact]
    public async Task Constructor_HttpClientWithPathPrefix_KeepsPrefixAndLeavesClientUsable()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json("""{"live":true}"""));
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddress, "proxy/turbine") };

        using (var client = new TurbineHttpClient(http))
        {
            Assert.True(await client.IsLiveAsync());
        }

        Assert.Equal("/proxy/turbine/v2/health/live", server.LastRequest.RawTarget);
        using var response = await http.GetAsync(new Uri(server.BaseAddress, "again"));
        Assert.Equal("/again", server.LastRequest.RawTarget);
    }

    [Fact]
    public void Constructor_HttpClientWithoutBaseAddress_Throws()
    {
        using var http = new HttpClient();

        Assert.Throws<ArgumentException>(() => new TurbineHttpClient(http));
    }
}
