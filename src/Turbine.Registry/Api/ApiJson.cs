using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

/// <summary>The API's JSON settings: camelCase, stages as their names (<c>Production</c>), packing and roles lowercase.</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            AllowTrailingCommas = false,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter<ModelStage>());
        options.Converters.Add(new JsonStringEnumConverter<ArtifactPacking>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<TokenRole>(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
