using System.Text.Json.Serialization;

namespace Turbine.Gateway.Transforms;

[JsonSerializable(typeof(V1Readiness))]
internal sealed partial class TransformJsonContext : JsonSerializerContext;
