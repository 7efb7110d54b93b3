using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Sources;
using Turbine.Samples;

namespace Turbine.Server.Tests.Sources;

/// <summary>
/// A model source the server does not know, registered as a service: the engine serves its models over the unchanged
/// HTTP front end, the repository API answers from it, and its change signals load and unload models.
/// </summary>
public sealed class CustomModelSourceTests : IAsyncLifetime
{
    private const string SimpleConfig = "{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":2," +
        "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
        "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "turbine-tests", Guid.NewGuid().ToString("N"));
    private TestModelSource _source = null!;
    private TurbineServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        SampleRepository.Create(_folder);
        _source = new TestModelSource(_folder);
        _source.Offer("simple", SimpleConfig);
        _server = await TurbineServer.StartAsync(
            new ServerOptions
            {
                // Never read: the engine gets its models from the registered source (a folder source would refuse a missing folder).
                Engine = new EngineOptions { ModelRepository = Path.Combine(_folder, "not-a-repository") },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            l => l.SetMinimumLevel(LogLevel.Warning),
            configureServices: services => services.AddSingleton<IModelSource>(_source));
        _http = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task StartAsync_CustomSource_ServesItsModelsOverHttpWithTheConfigItChose()
    {
        Assert.Same(_source, _server.Engine.Source);
        var (status, body) = await PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson(offset: 10));
        Assert.True(status == 200, body.ToString());
        var output0 = body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0");
        Assert.Equal(Enumerable.Range(11, 16), output0.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));

        var (_, config) = await GetJsonAsync("/v2/models/simple/config");
        Assert.Equal(2, config.GetProperty("max_batch_size").GetInt32());

        // The index lists what the source offers, not what the folder holds.
        var (_, index) = await PostJsonAsync("/v2/repository/index", "{}");
        Assert.Equal(["simple"], index.EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
        Assert.Equal("READY", index[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task WatchAsync_SourceOffersThenWithdrawsAModel_ServerServesItThenUnloadsIt()
    {
        var (before, _) = await GetJsonAsync("/v2/models/identity_fp32/ready");
        Assert.NotEqual(200, before);

        Assert.Null(await _source.OfferAsync("identity_fp32"));
        Assert.Equal(200, (await GetJsonAsync("/v2/models/identity_fp32/ready")).Status);
        var (status, body) = await PostJsonAsync("/v2/models/identity_fp32/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1.5,2,3,4]}]}");
        Assert.True(status == 200, body.ToString());

        Assert.Null(await _source.WithdrawAsync("identity_fp32"));
        var (_, index) = await PostJsonAsync("/v2/repository/index", "{}");
        var row = index.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "identity_fp32");
        Assert.Equal("UNAVAILABLE", row.GetProperty("state").GetString());
        Assert.Equal("unloaded", row.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ReadyAsync_ModelInTheFolderTheSourceDoesNotOffer_AnswersUnknownModel()
    {
        Assert.True(File.Exists(Path.Combine(_folder, "iris", "config.pbtxt")));

        var (status, body) = await GetJsonAsync("/v2/models/iris/ready");

        Assert.Equal(400, status);
        Assert.Equal("Request for unknown model: 'iris' is not found", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task StopAsync_CustomSource_EndsTheEnginesWatch()
    {
        Assert.False(_source.WatchStopped.IsCompleted);

        await _server.StopAsync();

        await _source.WatchStopped.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<(int Status, JsonElement Body)> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return ((int)response.StatusCode, await ServerHarness.ReadJsonAsync(response));
    }

    private async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(path, content);
        return ((int)response.StatusCode, await ServerHarness.ReadJsonAsync(response));
    }
}
