using System.Text.Json.Serialization;

namespace Turbine.Gateway.Transforms;

/// <summary>KServe v1 model readiness: <c>{"name": m, "ready": bool}</c>.</summary>
internal sealed record V1Readiness(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ready")] bool Ready);
