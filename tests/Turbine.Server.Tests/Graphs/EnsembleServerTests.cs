using System.Text.Json;
using Grpc.Core;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;
using Turbine.Samples;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Graphs;

/// <summary>The <c>simple_chain</c> ensemble over REST and gRPC on a real server: inference, metadata, config, statistics, errors.</summary>
public sealed class EnsembleServerTests
{
    private static readonly string Ones = string.Join(",", Enumerable.Repeat(1, 16));
    private static readonly string Counting = string.Join(",", Enumerable.Range(0, 16));

    [Fact]
    public async Task Rest_InferMetadataConfigAndStatistics_AsTritonAnswers()
    {
        await using var h = await ServerHarness.StartAsync(prepare: SampleGraphs.WriteSimpleChain);
        var json = $"{{\"id\":\"e1\",\"inputs\":[{{\"name\":\"A\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{Counting}]}},{{\"name\":\"B\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{Ones}]}}],\"outputs\":[{{\"name\":\"TWICE_A\"}}]}}";

        var (status, body) = await h.PostJsonAsync("/v2/models/simple_chain/infer", json);

        Assert.Equal(200, status);
        Assert.Equal("simple_chain", body.GetProperty("model_name").GetString());
        Assert.Equal("e1", body.GetProperty("id").GetString());
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("TWICE_A", output.GetProperty("name").GetString());
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 2 * i), output.GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));

        var (_, metadata) = await h.GetJsonAsync("/v2/models/simple_chain");
        Assert.Equal("ensemble", metadata.GetProperty("platform").GetString());
        Assert.Equal(["A", "B"], metadata.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        var (_, config) = await h.GetJsonAsync("/v2/models/simple_chain/config");
        var steps = config.GetProperty("ensemble_scheduling").GetProperty("step");
        Assert.Equal(2, steps.GetArrayLength());
        Assert.Equal("SUM", steps[1].GetProperty("input_map").GetProperty("INPUT0").GetString());
        Assert.Equal(0, config.GetProperty("instance_group").GetArrayLength());

        var (_, stats) = await h.GetJsonAsync("/v2/models/stats");
        JsonElement Stat(string model) => stats.GetProperty("model_stats").EnumerateArray().Single(m => m.GetProperty("name").GetString() == model);
        Assert.Equal(1, Stat("simple_chain").GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
        Assert.Equal(0, Stat("simple_chain").GetProperty("execution_count").GetInt64());
        Assert.Equal(2, Stat("simple").GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
        Assert.Equal(2, Stat("simple").GetProperty("execution_count").GetInt64());
    }

    [Fact]
    public async Task Grpc_InferMetadataConfigAndStatistics_AsTritonAnswers()
    {
        await using var h = await ServerHarness.StartAsync(prepare: SampleGraphs.WriteSimpleChain);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);

        var response = await c.Client.ModelInferAsync(Request());

        Assert.Equal("simple_chain", response.ModelName);
        Assert.Equal(["TWICE_A", "TWICE_B", "SUM"], response.Outputs.Select(o => o.Name));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 2 * i), GrpcTestClient.Values<int>(response.RawOutputContents[0]));
        Assert.Equal(Enumerable.Repeat(2, 16), GrpcTestClient.Values<int>(response.RawOutputContents[1]));
        Assert.Equal(Enumerable.Range(1, 16), GrpcTestClient.Values<int>(response.RawOutputContents[2]));

        var metadata = await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple_chain" });
        Assert.Equal("ensemble", metadata.Platform);
        var config = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple_chain" })).Config;
        Assert.Equal("ensemble", config.Platform);
        Assert.Equal(2, config.EnsembleScheduling.Step.Count);
        Assert.Equal(-1, config.EnsembleScheduling.Step[0].ModelVersion);
        Assert.Equal("DIFF", config.EnsembleScheduling.Step[0].OutputMap["OUTPUT1"]);

        var stats = await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "simple_chain" });
        var s = Assert.Single(stats.ModelStats);
        Assert.Equal(1UL, s.InferenceStats.Success.Count);
        Assert.Equal(1UL, s.InferenceCount);
        Assert.True(s.InferenceStats.ComputeInfer.Ns > 0);
        var simple = Assert.Single((await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "simple" })).ModelStats);
        Assert.Equal(2UL, simple.InferenceStats.Success.Count);
        Assert.Equal(simple.InferenceStats.ComputeInfer.Ns, s.InferenceStats.ComputeInfer.Ns);
    }

    [Fact]
    public async Task StepFailure_BothProtocols_NameTheStepAndItsError()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, startupModels: [SampleGraphs.SimpleChain], prepare: SampleGraphs.WriteSimpleChain);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" });
        const string expected = "in ensemble 'simple_chain', step 0 (model 'simple'): model 'simple' is not ready";

        var rpc = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(Request()));
        var json = $"{{\"inputs\":[{{\"name\":\"A\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{Counting}]}},{{\"name\":\"B\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[{Ones}]}}]}}";
        var (status, body) = await h.PostJsonAsync("/v2/models/simple_chain/infer", json);

        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.StartsWith(expected, rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(503, status);
        Assert.StartsWith(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unload_WithUnloadDependents_UnloadsComposingModelsOverRestAndGrpc()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit, startupModels: [SampleGraphs.SimpleChain], prepare: SampleGraphs.WriteSimpleChain);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);

        // Without the flag the composing model stays.
        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/simple_chain/unload", "{}")).Status);
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);

        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/simple_chain/load", "{}")).Status);
        Assert.Equal(200, (await h.PostJsonAsync("/v2/repository/models/simple_chain/unload", "{\"parameters\":{\"unload_dependents\":true}}")).Status);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);

        await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "simple_chain" });
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        var unload = new RepositoryModelUnloadRequest { ModelName = "simple_chain" };
        unload.Parameters["unload_dependents"] = new ModelRepositoryParameter { BoolParam = true };
        await c.Client.RepositoryModelUnloadAsync(unload);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple_chain" })).Ready);
    }

    private static ModelInferRequest Request()
    {
        var request = new ModelInferRequest { ModelName = "simple_chain" };
        request.Inputs.Add(GrpcTestClient.Input("A", "INT32", 1, 16));
        request.Inputs.Add(GrpcTestClient.Input("B", "INT32", 1, 16));
        request.RawInputContents.Add(GrpcTestClient.Bytes(Enumerable.Range(0, 16).ToArray()));
        request.RawInputContents.Add(GrpcTestClient.Bytes(Enumerable.Repeat(1, 16).ToArray()));
        return request;
    }
}
