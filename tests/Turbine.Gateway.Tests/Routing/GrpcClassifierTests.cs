using Google.Protobuf;
using Turbine.Gateway.Routing;
using Turbine.Protocol.Grpc;

namespace Turbine.Gateway.Tests.Routing;

public sealed class GrpcClassifierTests
{
    public static TheoryData<string, string, GatewayOperation, bool> Methods => new()
    {
        { "ServerLive", "ServerWide", GatewayOperation.Server, false },
        { "ServerReady", "ServerWide", GatewayOperation.Server, false },
        { "ServerMetadata", "ServerWide", GatewayOperation.Server, false },
        { "RepositoryIndex", "ServerWide", GatewayOperation.Metadata, false },
        { "ModelReady", "Model", GatewayOperation.Metadata, false },
        { "ModelMetadata", "Model", GatewayOperation.Metadata, false },
        { "ModelConfig", "Model", GatewayOperation.Metadata, false },
        { "ModelStatistics", "Model", GatewayOperation.Metadata, false },
        { "ModelInfer", "Model", GatewayOperation.Infer, false },
        { "ModelStreamInfer", "Model", GatewayOperation.Infer, true },
        { "RepositoryModelLoad", "Model", GatewayOperation.Admin, false },
        { "RepositoryModelUnload", "Model", GatewayOperation.Admin, false },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void ClassifyMethod_EveryRpc_KindAndOperation(string method, string kind, GatewayOperation operation, bool streaming)
    {
        var result = GrpcClassifier.ClassifyMethod("/inference.GRPCInferenceService/" + method);
        Assert.Equal((kind, operation, streaming, method), (result.Kind.ToString(), result.Operation, result.Streaming, result.Method));
    }

    [Fact]
    public void ClassifyMethod_HealthAndUnknown_ServerWideOrNotFound()
    {
        Assert.Equal("ServerWide", GrpcClassifier.ClassifyMethod("/grpc.health.v1.Health/Check").Kind.ToString());
        Assert.Equal("NotFound", GrpcClassifier.ClassifyMethod("/inference.GRPCInferenceService/Nope").Kind.ToString());
        Assert.Equal("NotFound", GrpcClassifier.ClassifyMethod("/other.Service/ModelInfer").Kind.ToString());
    }

    public static TheoryData<string, byte[], string, string?> Messages => new()
    {
        { "ModelInfer", new ModelInferRequest { Id = "x", ModelName = "simple", ModelVersion = "2", Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "INPUT0", Datatype = "INT32", Shape = { 1, 16 } } } }.ToByteArray(), "simple", "2" },
        { "ModelStreamInfer", new ModelInferRequest { ModelName = "seq" }.ToByteArray(), "seq", null },
        { "ModelReady", new ModelReadyRequest { Name = "iris", Version = "1" }.ToByteArray(), "iris", "1" },
        { "ModelMetadata", new ModelMetadataRequest { Name = "iris" }.ToByteArray(), "iris", null },
        { "ModelConfig", new ModelConfigRequest { Name = "simple" }.ToByteArray(), "simple", null },
        { "ModelStatistics", new ModelStatisticsRequest { Name = "simple", Version = "1" }.ToByteArray(), "simple", "1" },
        { "RepositoryModelLoad", new RepositoryModelLoadRequest { RepositoryName = "repo", ModelName = "iris" }.ToByteArray(), "iris", null },
        { "RepositoryModelUnload", new RepositoryModelUnloadRequest { RepositoryName = "repo", ModelName = "iris" }.ToByteArray(), "iris", null },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void ReadFields_EveryPerModelRequest_FindsModelAndVersion(string method, byte[] message, string model, string? version)
    {
        var (_, _, modelField, versionField, _, _) = GrpcClassifier.ClassifyMethod("/inference.GRPCInferenceService/" + method);
        var (m, v) = GrpcClassifier.ReadFields(message, 0, message.Length, modelField, versionField);
        Assert.Equal(model, m);
        Assert.Equal(version, string.IsNullOrEmpty(v) ? null : v);
    }

    [Fact]
    public void ReadFields_Garbage_ReturnsNothing()
    {
        var (m, v) = GrpcClassifier.ReadFields([0xFF, 0xFF, 0xFF], 0, 3, 1, 2);
        Assert.Null(m);
        Assert.Null(v);
    }
}
