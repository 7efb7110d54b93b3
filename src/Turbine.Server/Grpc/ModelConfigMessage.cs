using Google.Protobuf;
using Turbine.Core.Config;

namespace Turbine.Server.Grpc;

/// <summary>
/// The config as Triton's <c>ModelConfig</c> message. Built from the same Triton-style JSON the REST
/// <c>/config</c> endpoint returns (proto field names, enum names), so both front ends describe a model
/// identically and there is one mapping to keep right.
/// </summary>
internal static class ModelConfigMessage
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static Protocol.Grpc.ModelConfig From(ModelConfig config) =>
        Parser.Parse<Protocol.Grpc.ModelConfig>(ModelConfigJson.ToJson(config));
}
