using System.Text.Json;
using Grpc.Core;
using Turbine.Core.Lifecycle;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>Statistics and the repository rpcs, each on its own server.</summary>
public sealed class GrpcRepositoryTests
{
    [Fact]
    public async Task ModelStatistics_CountsEqualRequestsSent()
    {
        await using var h = await ServerHarness.StartAsync();
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        const int ok = 7;
        for (var i = 0; i < ok; i++)
        {
            GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(i)), i);
        }

        // A request the model rejects (wrong shape) counts as a failure of that model.
        var bad = GrpcTestClient.SimpleRaw();
        bad.Inputs[0].Shape[1] = 15;
        bad.RawInputContents[0] = GrpcTestClient.Bytes(new int[15]);
        await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(bad));

        var stats = await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "simple" });
        var s = Assert.Single(stats.ModelStats);
        Assert.Equal("simple", s.Name);
        Assert.Equal("1", s.Version);
        Assert.Equal((ulong)ok, s.InferenceCount);
        Assert.Equal((ulong)ok, s.ExecutionCount);
        Assert.Equal((ulong)ok, s.InferenceStats.Success.Count);
        Assert.True(s.InferenceStats.Success.Ns > 0);
        Assert.Equal((ulong)ok, s.InferenceStats.ComputeInfer.Count);
        Assert.True(s.LastInference > 0);
        Assert.Equal(1UL, s.InferenceStats.Fail.Count);
        var batch = Assert.Single(s.BatchStats);
        Assert.Equal(1UL, batch.BatchSize);
        Assert.Equal((ulong)ok, batch.ComputeInfer.Count);

        var all = await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest());
        Assert.Equal(7, all.ModelStats.Count);
        Assert.Equal(0UL, all.ModelStats.Single(m => m.Name == "iris").InferenceCount);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "nosuch" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("requested model 'nosuch' is not available", e.Status.Detail);
    }

    [Fact]
    public async Task ExplicitMode_LoadInferUnloadAndIndex()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        Assert.False((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        var index = await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest());
        var never = index.Models.Single(m => m.Name == "simple");
        Assert.Equal("", never.State); // a never-loaded model has a name-only row, as in Triton
        Assert.Equal("", never.Version);
        Assert.Empty((await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models);

        // Not loaded: the same status class and message as REST.
        var notReady = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw()));
        var (restStatus, restBody) = await h.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(restStatus switch { 400 => StatusCode.InvalidArgument, 404 => StatusCode.NotFound, _ => StatusCode.Unavailable }, notReady.StatusCode);
        Assert.Equal(restBody.GetProperty("error").GetString(), notReady.Status.Detail);

        await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "simple" });
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(3)), 3);
        var ready = await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });
        Assert.Equal("simple", Assert.Single(ready.Models).Name);
        Assert.Equal("READY", ready.Models[0].State);

        var unload = new RepositoryModelUnloadRequest { ModelName = "simple" };
        unload.Parameters["unload_dependents"] = new ModelRepositoryParameter { BoolParam = false };
        await c.Client.RepositoryModelUnloadAsync(unload);
        Assert.True(await ServerHarness.EventuallyAsync(
            async () => !(await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready, TimeSpan.FromSeconds(10)));
        Assert.Empty((await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models);
        var unloaded = (await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest())).Models.Single(m => m.Name == "simple");
        Assert.Equal("UNAVAILABLE", unloaded.State);
        Assert.Equal("unloaded", unloaded.Reason);
    }

    [Fact]
    public async Task ExplicitMode_LoadWithConfigOverride_AppliesIt()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var config = "{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":2," +
            "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
            "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";
        var load = new RepositoryModelLoadRequest { ModelName = "simple" };
        load.Parameters["config"] = new ModelRepositoryParameter { StringParam = config };
        await c.Client.RepositoryModelLoadAsync(load);
        var loaded = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple" })).Config;
        Assert.Equal(2, loaded.MaxBatchSize);
        var (_, rest) = await h.GetJsonAsync("/v2/models/simple/config");
        Assert.Equal(2, rest.GetProperty("max_batch_size").GetInt32());
    }

    [Fact]
    public async Task ExplicitMode_BadLoadRequests_RightStatusAndMessage()
    {
        await using var h = await ServerHarness.StartAsync(ModelControlMode.Explicit);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);

        var file = new RepositoryModelLoadRequest { ModelName = "simple" };
        file.Parameters["file:1/model.onnx"] = new ModelRepositoryParameter { BytesParam = Google.Protobuf.ByteString.CopyFromUtf8("x") };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(file));
        Assert.Equal(StatusCode.Internal, e.StatusCode); // Triton: a file override without 'config' fails to poll
        Assert.Contains("failed to poll from model repository: load parameter 'config' must be specified for model file override", e.Status.Detail);

        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "nosuch" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("nosuch", e.Status.Detail);

        var bogus = new RepositoryModelLoadRequest { ModelName = "simple" };
        bogus.Parameters["config"] = new ModelRepositoryParameter { StringParam = JsonSerializer.Serialize(new { name = "simple", max_batch_size = 8, bogus_field = 1 }) };
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(bogus));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("bogus_field", e.Status.Detail);

        var wrongKey = new RepositoryModelLoadRequest { ModelName = "simple" };
        wrongKey.Parameters["colour"] = new ModelRepositoryParameter { StringParam = "blue" };
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(wrongKey));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("'colour'", e.Status.Detail);

        // Nothing was half-loaded; a plain load still works.
        Assert.Empty((await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models);
        await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "simple" });
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleTyped(5)), 5);
    }
}
