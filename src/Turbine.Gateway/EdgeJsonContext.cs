using System.Text.Json.Serialization;

namespace Turbine.Gateway;

[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext;
