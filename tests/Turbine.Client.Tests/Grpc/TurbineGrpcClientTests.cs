using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests.Grpc;

public sealed class TurbineGrpcClientTests
{
    [Fact]
    public async Task IsLiveAndIsReady_ServerFlags_ReturnedAsIs()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Live = (_, _) => Task.FromResult(new ServerLiveResponse { Live = true });
        server.Service.Ready = (_, _) => Task.FromResult(new ServerReadyResponse { Ready = false });
        using var client = server.CreateClient();

        Assert.True(await client.IsLiveAsync());
        Assert.False(await client.IsReadyAsync());
    }

    [Fact]
    public async Task IsModelReadyAsync_NameVersionAndNotFound_SendsThemAndReturnsFalseOnNotFound()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.ModelReadyHandler = (r, _) => r.Name == "m"
            ? Task.FromResult(new ModelReadyResponse { Ready = r.Version == "2" })
            : throw new RpcException(new Status(StatusCode.NotFound, "unknown model"));
        using var client = server.CreateClient();

        Assert.True(await client.IsModelReadyAsync("m", "2"));
        Assert.Equal("2", server.Service.Last<ModelReadyRequest>().Version);
        Assert.False(await client.IsModelReadyAsync("m"));
        Assert.Equal(string.Empty, server.Service.Last<ModelReadyRequest>().Version);
        Assert.False(await client.IsModelReadyAsync("other"));
    }

    [Fact]
    public async Task IsModelReadyAsync_TritonUnknownModelAnswer_FalseOtherInvalidArgumentThrows()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.ModelReadyHandler = (r, _) => throw new RpcException(r.Name == "gone"
            ? new Status(StatusCode.InvalidArgument, "Request for unknown model: 'gone' is not found")
            : new Status(StatusCode.InvalidArgument, "model version 'x' is not valid"));
        using var client = server.CreateClient();

        Assert.False(await client.IsModelReadyAsync("gone"));
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => client.IsModelReadyAsync("m", "x"));
        Assert.Equal(StatusCode.InvalidArgument, e.GrpcStatusCode);
    }

    [Fact]
    public async Task GetServerMetadataAsync_Response_MapsNameVersionExtensions()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.ServerMetadataHandler = (_, _) =>
            Task.FromResult(new ServerMetadataResponse { Name = "turbine", Version = "0.1.0", Extensions = { "statistics", "model_configuration" } });
        using var client = server.CreateClient();

        var metadata = await client.GetServerMetadataAsync();

        Assert.Equal("turbine", metadata.Name);
        Assert.Equal("0.1.0", metadata.Version);
        Assert.Equal(["statistics", "model_configuration"], metadata.Extensions);
    }

    [Fact]
    public async Task GetModelMetadataAsync_Response_MapsTensorsWithVariableDims()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.ModelMetadataHandler = (r, _) => Task.FromResult(new ModelMetadataResponse
        {
            Name = r.Name,
            Versions = { "1", "2" },
            Platform = "onnxruntime_onnx",
            Inputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "IN", Datatype = "FP32", Shape = { -1, 16 } } },
            Outputs = { new ModelMetadataResponse.Types.TensorMetadata { Name = "OUT", Datatype = "INT64", Shape = { -1 } } },
        });
        using var client = server.CreateClient();

        var metadata = await client.GetModelMetadataAsync("m", "2");

        Assert.Equal("2", server.Service.Last<ModelMetadataRequest>().Version);
        Assert.Equal("m", metadata.Name);
        Assert.Equal(["1", "2"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal(new TensorMetadataResult("IN", "FP32", [-1, 16]).ToString(), metadata.Inputs.Single().ToString());
        Assert.Equal([-1L, 16L], metadata.Inputs[0].Shape);
        Assert.Equal([-1L], metadata.Outputs[0].Shape);
        Assert.Equal("INT64", metadata.Outputs[0].Datatype);
    }

    [Fact]
    public async Task GetModelConfigAsync_Config_FormatsRestShapeWithSnakeCaseEnumNamesAndNumbers()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Config = (r, _) => Task.FromResult(new ModelConfigResponse
        {
            Config = new ModelConfig
            {
                Name = r.Name,
                Platform = "onnxruntime_onnx",
                MaxBatchSize = 8,
                Input = { new ModelInput { Name = "IN", DataType = DataType.TypeFp32, Dims = { -1, 16 } } },
                Output = { new ModelOutput { Name = "OUT", DataType = DataType.TypeString, Dims = { 1 } } },
                DynamicBatching = new ModelDynamicBatching { PreferredBatchSize = { 4, 8 }, MaxQueueDelayMicroseconds = 100 },
            },
        });
        using var client = server.CreateClient();

        using var config = await client.GetModelConfigAsync("m", "1");

        var root = config.RootElement;
        Assert.Equal("1", server.Service.Last<ModelConfigRequest>().Version);
        Assert.Equal("m", root.GetProperty("name").GetString());
        Assert.Equal(8, root.GetProperty("max_batch_size").GetInt32());
        var input = root.GetProperty("input")[0];
        Assert.Equal("TYPE_FP32", input.GetProperty("data_type").GetString());
        Assert.Equal([-1L, 16L], input.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()));
        Assert.False(input.GetProperty("is_shape_tensor").GetBoolean()); // defaults are written
        Assert.Equal("TYPE_STRING", root.GetProperty("output")[0].GetProperty("data_type").GetString());
        var batching = root.GetProperty("dynamic_batching");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, batching.GetProperty("max_queue_delay_microseconds").ValueKind);
        Assert.Equal(100, batching.GetProperty("max_queue_delay_microseconds").GetInt64());
        Assert.Equal([4, 8], batching.GetProperty("preferred_batch_size").EnumerateArray().Select(d => d.GetInt32()));
    }

    [Fact]
    public async Task GetModelStatisticsAsync_Response_FormatsModelStatsWithNumbers()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Statistics = (r, _) => Task.FromResult(new ModelStatisticsResponse
        {
            ModelStats =
            {
                new ModelStatistics
                {
                    Name = "m",
                    Version = "1",
                    InferenceCount = 12,
                    ExecutionCount = 3,
                    LastInference = 1700000000000,
                    InferenceStats = new InferStatistics { Success = new StatisticDuration { Count = 12, Ns = 34567 } },
                    BatchStats = { new InferBatchStatistics { BatchSize = 4, ComputeInfer = new StatisticDuration { Count = 3, Ns = 99 } } },
                },
            },
        });
        using var client = server.CreateClient();

        using var stats = await client.GetModelStatisticsAsync("m", "1");
        using var all = await client.GetModelStatisticsAsync();

        var model = stats.RootElement.GetProperty("model_stats")[0];
        Assert.Equal("m", model.GetProperty("name").GetString());
        Assert.Equal(12, model.GetProperty("inference_count").GetInt64());
        Assert.Equal(1700000000000, model.GetProperty("last_inference").GetInt64());
        Assert.Equal(34567, model.GetProperty("inference_stats").GetProperty("success").GetProperty("ns").GetInt64());
        Assert.Equal(0, model.GetProperty("inference_stats").GetProperty("fail").GetProperty("count").GetInt64());
        Assert.Equal(4, model.GetProperty("batch_stats")[0].GetProperty("batch_size").GetInt64());
        var requests = server.Service.Requests.OfType<ModelStatisticsRequest>().ToList();
        Assert.Equal(("m", "1"), (requests[0].Name, requests[0].Version));
        Assert.Equal((string.Empty, string.Empty), (requests[1].Name, requests[1].Version));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetModelStatisticsAsync(null, "1"));
    }

    [Fact]
    public async Task GetRepositoryIndexAsync_ReadyOnly_SendsFlagAndMapsModels()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Index = (_, _) => Task.FromResult(new RepositoryIndexResponse
        {
            Models =
            {
                new RepositoryIndexResponse.Types.ModelIndex { Name = "a", Version = "1", State = "READY" },
                new RepositoryIndexResponse.Types.ModelIndex { Name = "b", Version = "2", State = "UNAVAILABLE", Reason = "bad config" },
            },
        });
        using var client = server.CreateClient();

        var index = await client.GetRepositoryIndexAsync(readyOnly: true);

        Assert.True(server.Service.Last<RepositoryIndexRequest>().Ready);
        Assert.Equal(new RepositoryIndexItem("a", "1", "READY", string.Empty), index[0]);
        Assert.Equal(new RepositoryIndexItem("b", "2", "UNAVAILABLE", "bad config"), index[1]);
    }

    [Fact]
    public async Task LoadModelAsync_WithConfig_SendsConfigAsStringParam()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Load = (_, _) => Task.FromResult(new RepositoryModelLoadResponse());
        using var client = server.CreateClient();

        await client.LoadModelAsync("m", """{"max_batch_size":4}""");
        var withConfig = server.Service.Last<RepositoryModelLoadRequest>();
        await client.LoadModelAsync("n");
        var without = server.Service.Last<RepositoryModelLoadRequest>();

        Assert.Equal("m", withConfig.ModelName);
        Assert.Equal(ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam, withConfig.Parameters["config"].ParameterChoiceCase);
        Assert.Equal("""{"max_batch_size":4}""", withConfig.Parameters["config"].StringParam);
        Assert.Equal("n", without.ModelName);
        Assert.Empty(without.Parameters);
    }

    [Fact]
    public async Task UnloadModelAsync_Model_SendsNameWithoutParameters()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Unload = (_, _) => Task.FromResult(new RepositoryModelUnloadResponse());
        using var client = server.CreateClient();

        await client.UnloadModelAsync("m");

        Assert.Equal("m", server.Service.Last<RepositoryModelUnloadRequest>().ModelName);
        Assert.Empty(server.Service.Last<RepositoryModelUnloadRequest>().Parameters);
    }

    public static TheoryData<string> Operations => ["live", "metadata", "model_metadata", "config", "stats", "index", "load", "unload", "infer"];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task EveryRpc_ServerError_ThrowsTurbineClientExceptionWithGrpcStatusAndDetail(string operation)
    {
        await using var server = await GrpcTestServer.StartAsync();
        var error = new RpcException(new Status(StatusCode.InvalidArgument, $"bad {operation}"));
        server.Service.Live = (_, _) => throw error;
        server.Service.ServerMetadataHandler = (_, _) => throw error;
        server.Service.ModelMetadataHandler = (_, _) => throw error;
        server.Service.Config = (_, _) => throw error;
        server.Service.Statistics = (_, _) => throw error;
        server.Service.Index = (_, _) => throw error;
        server.Service.Load = (_, _) => throw error;
        server.Service.Unload = (_, _) => throw error;
        server.Service.Infer = (_, _) => throw error;
        using ITurbineClient client = server.CreateClient();

        Func<Task> call = operation switch
        {
            "live" => () => client.IsLiveAsync(),
            "metadata" => () => client.GetServerMetadataAsync(),
            "model_metadata" => () => client.GetModelMetadataAsync("m"),
            "config" => () => client.GetModelConfigAsync("m"),
            "stats" => () => client.GetModelStatisticsAsync(),
            "index" => () => client.GetRepositoryIndexAsync(),
            "load" => () => client.LoadModelAsync("m"),
            "unload" => () => client.UnloadModelAsync("m"),
            _ => () => client.InferAsync("m", [TestInputs.Create("FP32")], options: new InferOptions { RequestId = "r9" }),
        };
        var e = await Assert.ThrowsAsync<TurbineClientException>(call);

        Assert.Equal(StatusCode.InvalidArgument, e.GrpcStatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal($"bad {operation}", e.ServerMessage);
        Assert.IsType<RpcException>(e.InnerException);
        Assert.Equal(operation == "infer" ? "r9" : null, e.RequestId);
    }

    [Fact]
    public async Task InferAsync_NoServerListening_ThrowsTurbineClientExceptionUnavailable()
    {
        Uri address;
        await using (var server = await GrpcTestServer.StartAsync())
        {
            address = server.Address;
        }

        using var client = new TurbineGrpcClient(address);

        var e = await Assert.ThrowsAsync<TurbineClientException>(() => client.IsLiveAsync());

        Assert.Equal(StatusCode.Unavailable, e.GrpcStatusCode);
    }
}
