using System.Text.Json.Serialization;

namespace Turbine.Gateway;

/// <summary>The JSON error answer: <c>{"error":"..."}</c>.</summary>
internal sealed record ErrorBody([property: JsonPropertyName("error")] string Error);
