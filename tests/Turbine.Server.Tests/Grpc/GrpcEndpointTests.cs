using Grpc.Core;
using Grpc.Health.V1;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>Every read-only rpc of GRPCInferenceService, and grpc.health.v1, through the generated clients.</summary>
public sealed class GrpcEndpointTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    private GrpcTestClient NewClient() => new(H.Server.GrpcAddress);

    [Fact]
    public async Task ServerLiveAndReady_ReturnTrue()
    {
        using var c = NewClient();
        Assert.True((await c.Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await c.Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
    }

    [Fact]
    public async Task ModelReady_KnownUnknownAndBadVersion()
    {
        using var c = NewClient();
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple", Version = "1" })).Ready);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple", Version = "9" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("Request for unknown model: 'simple' version 9 is not found", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "nosuch" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple", Version = "v1" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("model version 'v1' is not valid", e.Status.Detail);
    }

    [Fact]
    public async Task ServerMetadata_ListsExtensions()
    {
        using var c = NewClient();
        var m = await c.Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.False(string.IsNullOrEmpty(m.Name));
        Assert.False(string.IsNullOrEmpty(m.Version));
        Assert.Contains("binary_tensor_data", m.Extensions);
        Assert.Contains("classification", m.Extensions);
        Assert.Contains("model_repository", m.Extensions);
        Assert.Contains("statistics", m.Extensions);
        Assert.Contains("sequence", m.Extensions);
    }

    [Fact]
    public async Task ModelMetadata_HasBatchDimension()
    {
        using var c = NewClient();
        var m = await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple" });
        Assert.Equal("simple", m.Name);
        Assert.Equal(["1"], m.Versions);
        Assert.Equal("onnxruntime_onnx", m.Platform);
        Assert.Equal(["INPUT0", "INPUT1"], m.Inputs.Select(i => i.Name));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], m.Outputs.Select(i => i.Name));
        Assert.All(m.Inputs.Concat(m.Outputs), t =>
        {
            Assert.Equal("INT32", t.Datatype);
            Assert.Equal([-1L, 16L], t.Shape);
        });

        var identity = await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple_identity", Version = "1" });
        Assert.Equal("BYTES", identity.Inputs[0].Datatype);
        Assert.Equal([-1L, -1L], identity.Inputs[0].Shape);
    }

    [Fact]
    public async Task ModelMetadata_UnknownModelAndVersion_TritonCodesAndTexts()
    {
        using var c = NewClient();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nosuch" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple", Version = "9" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal("Request for unknown model: 'simple' version 9 is not found", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "simple", Version = "-1" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task ModelConfig_DescribesTheModel()
    {
        using var c = NewClient();
        var config = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple" })).Config;
        Assert.Equal("simple", config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal(["INPUT0", "INPUT1"], config.Input.Select(i => i.Name));
        Assert.All(config.Input, i =>
        {
            Assert.Equal(DataType.TypeInt32, i.DataType);
            Assert.Equal([16L], i.Dims);
        });
        Assert.Equal(["OUTPUT0", "OUTPUT1"], config.Output.Select(o => o.Name));
        Assert.Equal(DataType.TypeInt32, config.Output[0].DataType);
        Assert.NotEmpty(config.InstanceGroup);
        Assert.All(config.InstanceGroup, g => Assert.True(g.Count >= 1));

        var iris = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "iris" })).Config;
        Assert.Equal("labels.txt", iris.Output[0].LabelFilename);
        Assert.Equal(DataType.TypeFp32, iris.Input[0].DataType);

        var strings = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple_string" })).Config;
        Assert.Equal(DataType.TypeString, strings.Input[0].DataType);
    }

    [Fact]
    public async Task ModelConfig_AutoCompleted_IdentityFp32()
    {
        using var c = NewClient();
        var config = (await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "identity_fp32" })).Config;
        Assert.Equal("identity_fp32", config.Name);
        Assert.Equal(4, config.MaxBatchSize);
        Assert.Equal("INPUT0", config.Input[0].Name);
        Assert.Equal(DataType.TypeFp32, config.Input[0].DataType);
        Assert.Equal([-1L], config.Input[0].Dims);
        Assert.Equal("OUTPUT0", config.Output[0].Name);
        Assert.Equal(DataType.TypeFp32, config.Output[0].DataType);
    }

    [Fact]
    public async Task ModelConfig_UnknownModel_InvalidArgument()
    {
        using var c = NewClient();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelConfigAsync(new ModelConfigRequest { Name = "nosuch" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", e.Status.Detail);
    }

    [Fact]
    public async Task RepositoryIndex_ListsEveryModelReady()
    {
        using var c = NewClient();
        var index = await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest());
        Assert.Equal(
            ["accumulator", "identity_fp32", "iris", "simple", "simple_identity", "simple_int8", "simple_string"],
            index.Models.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(index.Models, m =>
        {
            Assert.Equal("READY", m.State);
            Assert.Equal("1", m.Version);
        });
        Assert.Equal(index.Models.Count, (await c.Client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models.Count);
    }

    [Fact]
    public async Task RepositoryLoadUnload_InModeNone_Unimplemented()
    {
        using var c = NewClient();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "simple" }));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Contains("model control mode 'none'", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "simple" }));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.True((await c.Client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" })).Ready);
    }

    [Theory]
    [InlineData("")]
    [InlineData("inference.GRPCInferenceService")]
    public async Task HealthCheck_Serving(string service)
    {
        using var c = NewClient();
        var health = new Health.HealthClient(c.Channel);
        var response = await health.CheckAsync(new HealthCheckRequest { Service = service });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        using var c = NewClient();
        var health = new Health.HealthClient(c.Channel);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "nosuch.Service" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
