using System.Globalization;
using System.Text.Json;
using Turbine.Features.Definitions;
using Turbine.Features.Serving;
using Turbine.Features.Values;

namespace Turbine.Features.Server;

/// <summary>Feast feature-server JSON: the <c>/get-online-features</c> request and response, <c>/push</c> and <c>/materialize</c> bodies.</summary>
public static class FeastJson
{
    /// <summary>A parsed <c>/get-online-features</c> request.</summary>
    public sealed record OnlineRequest(IReadOnlyList<string>? Features, string? FeatureService, IReadOnlyDictionary<string, IReadOnlyList<object?>> Entities, bool FullFeatureNames);

    public static OnlineRequest ParseOnlineRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FeatureRepoException("request body: expected a JSON object with 'features' or 'feature_service', and 'entities'");
        }

        List<string>? features = null;
        string? service = null;
        var full = false;
        Dictionary<string, IReadOnlyList<object?>>? entities = null;
        foreach (var p in root.EnumerateObject())
        {
            switch (p.Name)
            {
                case "features":
                    features = p.Value.ValueKind == JsonValueKind.Array
                        ? p.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FeatureRepoException("'features': expected an array of \"view:feature\" strings")).ToList()
                        : throw new FeatureRepoException("'features': expected an array of \"view:feature\" strings");
                    break;
                case "feature_service":
                    service = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new FeatureRepoException("'feature_service': expected a string");
                    break;
                case "full_feature_names":
                    full = p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.Value.GetBoolean() : throw new FeatureRepoException("'full_feature_names': expected true or false");
                    break;
                case "entities":
                    entities = Columns(p.Value, "entities");
                    break;
                default:
                    throw new FeatureRepoException($"unknown field '{p.Name}' (expected features, feature_service, entities, full_feature_names)");
            }
        }

        if (features is null && service is null)
        {
            throw new FeatureRepoException("give 'features' or 'feature_service'");
        }

        return new OnlineRequest(features, service, entities ?? throw new FeatureRepoException("'entities' is required"), full);
    }

    /// <summary>Columnar JSON (<c>{"col": [v, …]}</c>) as columns of JSON elements (coerced to types later).</summary>
    public static Dictionary<string, IReadOnlyList<object?>> Columns(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FeatureRepoException($"'{what}': expected an object of columns, e.g. {{\"user_id\": [1, 2]}}");
        }

        var result = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        foreach (var column in value.EnumerateObject())
        {
            result[column.Name] = column.Value.ValueKind == JsonValueKind.Array
                ? column.Value.EnumerateArray().Select(e => (object?)e.Clone()).ToArray()
                : throw new FeatureRepoException($"'{what}.{column.Name}': expected an array of values");
        }

        return result;
    }

    public static void WriteOnlineResponse(Utf8JsonWriter w, OnlineFeaturesResult result)
    {
        w.WriteStartObject();
        w.WriteStartObject("metadata");
        w.WriteStartArray("feature_names");
        foreach (var c in result.Columns)
        {
            w.WriteStringValue(c.Name);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var c in result.Columns)
        {
            w.WriteStartObject();
            w.WriteStartArray("values");
            foreach (var v in c.Values)
            {
                FeatureValues.WriteJson(w, v);
            }

            w.WriteEndArray();
            w.WriteStartArray("statuses");
            foreach (var s in c.Statuses)
            {
                w.WriteStringValue(OnlineFeaturesResult.StatusName(s));
            }

            w.WriteEndArray();
            w.WriteStartArray("event_timestamps");
            foreach (var t in c.EventTimestamps)
            {
                w.WriteStringValue(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static DateTime ParseTime(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new FeatureRepoException($"'{name}' is required (an ISO 8601 timestamp)") : default;
        }

        return v.ValueKind == JsonValueKind.String && FeatureValues.TryParseTimestamp(v.GetString()!, out var t)
            ? t
            : throw new FeatureRepoException($"'{name}': expected an ISO 8601 timestamp, got {v.GetRawText()}");
    }

    public static IReadOnlyList<string>? StringList(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? v.EnumerateArray().Select(e => e.GetString()!).ToArray()
            : throw new FeatureRepoException($"'{name}': expected an array of strings");
    }
}
