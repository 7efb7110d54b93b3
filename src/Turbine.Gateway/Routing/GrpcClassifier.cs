using System.Collections.Frozen;
using Google.Protobuf;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Classifies a gRPC call by its method (<c>/inference.GRPCInferenceService/ModelInfer</c>) and, for per-model rpcs,
/// the model named in the first request message: field 1 (<c>name</c>/<c>model_name</c>) of ModelInferRequest,
/// ModelReady/Metadata/Config/StatisticsRequest, field 2 (<c>model_name</c>) of RepositoryModelLoad/UnloadRequest;
/// the version is field 2 (field 3 for load/unload has no version).
/// </summary>
internal static class GrpcClassifier
{
    public const string InferenceService = "inference.GRPCInferenceService";
    public const string HealthService = "grpc.health.v1.Health";

    /// <summary>What the method needs: its kind, operation, the field numbers of model and version (0 = none), streaming.</summary>
    // The methods' own paths, classified once: a call's path is one of these, looked up without splitting it (the
    // split made an array and two strings per call). Anything else goes the general way below.
    private static readonly FrozenDictionary<string, (RouteKind, GatewayOperation, int, int, bool, string?)> Known =
        new[] { "ServerLive", "ServerReady", "ServerMetadata", "RepositoryIndex", "ModelReady", "ModelMetadata", "ModelConfig", "ModelStatistics", "ModelInfer", "ModelStreamInfer", "RepositoryModelLoad", "RepositoryModelUnload" }
            .Select(m => $"/{InferenceService}/{m}")
            .Concat(["/" + HealthService + "/Check", "/" + HealthService + "/Watch"])
            .ToDictionary(p => p, Split, StringComparer.Ordinal)
            .ToFrozenDictionary(StringComparer.Ordinal);

    public static (RouteKind Kind, GatewayOperation Operation, int ModelField, int VersionField, bool Streaming, string? Method) ClassifyMethod(string path) =>
        Known.TryGetValue(path, out var known) ? known : Split(path);

    private static (RouteKind Kind, GatewayOperation Operation, int ModelField, int VersionField, bool Streaming, string? Method) Split(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return (RouteKind.NotFound, GatewayOperation.Server, 0, 0, false, null);
        }

        if (parts[0] == HealthService && parts[1] is "Check" or "Watch")
        {
            return (RouteKind.ServerWide, GatewayOperation.Server, 0, 0, false, parts[1]);
        }

        if (parts[0] != InferenceService)
        {
            return (RouteKind.NotFound, GatewayOperation.Server, 0, 0, false, parts[1]);
        }

        return parts[1] switch
        {
            "ServerLive" or "ServerReady" or "ServerMetadata" => (RouteKind.ServerWide, GatewayOperation.Server, 0, 0, false, parts[1]),
            "RepositoryIndex" => (RouteKind.ServerWide, GatewayOperation.Metadata, 0, 0, false, parts[1]),
            "ModelReady" or "ModelMetadata" or "ModelConfig" or "ModelStatistics" => (RouteKind.Model, GatewayOperation.Metadata, 1, 2, false, parts[1]),
            "ModelInfer" => (RouteKind.Model, GatewayOperation.Infer, 1, 2, false, parts[1]),
            "ModelStreamInfer" => (RouteKind.Model, GatewayOperation.Infer, 1, 2, true, parts[1]),
            "RepositoryModelLoad" or "RepositoryModelUnload" => (RouteKind.Model, GatewayOperation.Admin, 2, 0, false, parts[1]),
            _ => (RouteKind.NotFound, GatewayOperation.Server, 0, 0, false, parts[1]),
        };
    }

    /// <summary>Reads the string fields <paramref name="modelField"/> and <paramref name="versionField"/> of one protobuf message.</summary>
    public static (string? Model, string? Version) ReadFields(byte[] buffer, int offset, int length, int modelField, int versionField)
    {
        string? model = null;
        string? version = null;
        using var input = new CodedInputStream(buffer, offset, length);
        try
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var field = WireFormat.GetTagFieldNumber(tag);
                if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && (field == modelField || field == versionField))
                {
                    var value = input.ReadString();
                    if (field == modelField)
                    {
                        model = value;
                    }
                    else
                    {
                        version = value;
                    }
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return (model, version);
        }

        return (model, version);
    }
}
