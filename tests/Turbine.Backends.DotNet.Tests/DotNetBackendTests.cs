using Google.Protobuf;
using Turbine.Protocol.Grpc;

namespace Turbine.Backends.DotNet.Tests;

/// <summary>The .NET backend behind the real server: a model's answer over REST and gRPC, its faults, and BLS.</summary>
[Collection(DotNetModelsCollection.Name)]
public sealed class DotNetBackendTests(TestModelsFixture models) : IAsyncLifetime
{
    private DotNetServer _server = null!;

    public async Task InitializeAsync() => _server = await DotNetServer.StartAsync(repo =>
    {
        DotNetServer.AddModel(repo, "addone", models.Output, Models.Fp32("AddOffset"));
        DotNetServer.AddModel(repo, "addten", models.Output, Models.Fp32("AddOffset", ("offset", "10")));
        DotNetServer.AddModel(repo, "thrower", models.Output, Models.Fp32("Thrower"));
        DotNetServer.AddModel(repo, "hanger", models.Output, Models.Fp32("Hanger", ("execute_timeout_ms", "300")));
        DotNetServer.AddModel(repo, "bls", models.Output, Models.Fp32("CallsAnother", ("target", "addten")));
        DotNetServer.AddModel(repo, "broken_init", models.Output, Models.Fp32("BrokenInit"));
        DotNetServer.AddModel(repo, "no_such_type", models.Output, Models.Fp32("Missing"));
        DotNetServer.AddModel(repo, "not_an_assembly", models.Output, Models.Fp32("AddOffset"));
        File.WriteAllText(Path.Combine(repo, "not_an_assembly", "1", "model.dll"), "this is not a .NET assembly");
    }, ["addone", "addten", "thrower", "hanger", "bls"]);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Infer_Rest_ReturnsWhatTheModelComputed()
    {
        var (status, body) = await _server.InferFp32Async("addten", 1.5f, -2f, 0f);
        Assert.Equal(200, status);
        Assert.Equal([11.5f, 8f, 10f], DotNetServer.Floats(body));
        Assert.Equal("addten", body.GetProperty("model_name").GetString());
    }

    [Fact]
    public async Task Infer_Grpc_ReturnsWhatTheModelComputed()
    {
        var request = new ModelInferRequest { ModelName = "addone", Id = "g1" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "FP32" };
        input.Shape.Add([2, 2]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>([1f, 2f, 3f, 4f])));
        var response = await _server.Grpc.ModelInferAsync(request);
        Assert.Equal("g1", response.Id);
        Assert.Equal([2L, 2L], response.Outputs[0].Shape);
        Assert.Equal([2f, 3f, 4f, 5f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
    }

    [Fact]
    public async Task Execute_ModelThrows_RequestFailsWithModelNameAndMessage_ServerKeepsServing()
    {
        var (status, body) = await _server.InferFp32Async("thrower", 1f);
        Assert.Equal(500, status);
        Assert.Equal("model 'thrower' failed: InvalidOperationException: the model refused this batch on purpose", body.GetProperty("error").GetString());

        var (after, answer) = await _server.InferFp32Async("addone", 1f);
        Assert.Equal(200, after);
        Assert.Equal([2f], DotNetServer.Floats(answer));
    }

    [Fact]
    public async Task Execute_ModelHangs_RequestFailsAfterTheTimeout_ServerKeepsServing()
    {
        var (status, body) = await _server.InferFp32Async("hanger", 1f);
        Assert.Equal(504, status);
        Assert.Equal("model 'hanger' did not finish execute within 300 ms (execute_timeout_ms)", body.GetProperty("error").GetString());

        // The hung execute honoured its cancellation: the instance serves (and times out) the next request the same way.
        var (again, _) = await _server.InferFp32Async("hanger", 2f);
        Assert.Equal(504, again);
        var (other, _) = await _server.InferFp32Async("addone", 1f);
        Assert.Equal(200, other);
        var live = await _server.Http.GetAsync("/v2/health/live");
        Assert.True(live.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Bls_ModelCallsAnotherLoadedModel_ResultComposesBoth()
    {
        var (status, body) = await _server.InferFp32Async("bls", 1f, 2f);
        Assert.Equal(200, status);
        Assert.Equal([22f, 24f], DotNetServer.Floats(body)); // 2 × (x + 10)
    }

    [Fact]
    public async Task Bls_CalledModelNotLoaded_ErrorNamesIt()
    {
        File.WriteAllText(Path.Combine(_server.Repository, "bls", "config.pbtxt"),
            "name: \"bls\"\nbackend: \"dotnet\"\n" + Models.Fp32("CallsAnother", ("target", "missing_model")));
        var (load, loadBody) = await _server.PostJsonAsync("/v2/repository/models/bls/load", "{}");
        Assert.True(load == 200, loadBody.ToString());
        var (status, body) = await _server.InferFp32Async("bls", 1f);
        Assert.Equal(500, status);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains("model 'bls' failed: ModelCallException: model 'missing_model': Request for unknown model: 'missing_model' is not found", error);
    }

    [Theory]
    [InlineData("broken_init", "initialize failed: FileNotFoundException: vocabulary.txt is missing")]
    [InlineData("no_such_type", "parameter 'model_type' names 'TestModels.Missing', but the public model classes are [")]
    [InlineData("not_an_assembly", "model 'not_an_assembly' version 1: model.dll is not a loadable .NET assembly")]
    public async Task Load_BadModel_FailsWithAClearError_ModelNotReady(string model, string expected)
    {
        var (status, body) = await _server.PostJsonAsync($"/v2/repository/models/{model}/load", "{}");
        Assert.Equal(400, status);
        Assert.Contains(expected, body.GetProperty("error").GetString());
        var ready = await _server.Http.GetAsync($"/v2/models/{model}/ready");
        Assert.False(ready.IsSuccessStatusCode);
    }
}
