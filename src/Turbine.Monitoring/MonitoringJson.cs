using System.Text.Json;
using System.Text.Json.Serialization;

namespace Turbine.Monitoring;

/// <summary>The JSON settings of every monitoring document (profiles, reports): camelCase, enums as camelCase strings, NaN as "NaN".</summary>
public static class MonitoringJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}
