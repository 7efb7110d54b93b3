using System.Text.Json.Nodes;

namespace Turbine.Monitoring.Profiles;

/// <summary>
/// Writes a profile in the shapes of SageMaker Model Monitor's baseline files (<c>statistics.json</c> and
/// <c>constraints.json</c>, schema version 0.0) for teams whose tooling already reads them.
/// </summary>
public static class SageMakerExport
{
    public static JsonObject Statistics(ReferenceProfile profile)
    {
        var features = new JsonArray();
        foreach (var f in profile.Features)
        {
            var common = new JsonObject { ["num_present"] = f.Count, ["num_missing"] = f.Missing + f.Infinite };
            var feature = new JsonObject { ["name"] = f.Name, ["inferred_type"] = InferredType(f) };
            if (f.Kind == FeatureKind.Numeric)
            {
                var buckets = new JsonArray();
                if (f.Histogram is { } h)
                {
                    for (var k = 0; k < h.Counts.Length; k++)
                    {
                        buckets.Add(new JsonObject { ["lower_bound"] = h.Edges[k], ["upper_bound"] = h.Edges[k + 1], ["count"] = h.Counts[k] });
                    }
                }

                var numeric = new JsonObject { ["common"] = common };
                if (f.Count > 0)
                {
                    numeric["mean"] = f.Mean;
                    numeric["sum"] = f.Mean * f.Count;
                    numeric["std_dev"] = f.Std;
                    numeric["min"] = f.Min;
                    numeric["max"] = f.Max;
                }

                numeric["distribution"] = new JsonObject { ["kll"] = new JsonObject { ["buckets"] = buckets } };
                feature["numerical_statistics"] = numeric;
            }
            else
            {
                var buckets = new JsonArray();
                foreach (var (value, count) in f.Categories ?? new Dictionary<string, long>())
                {
                    buckets.Add(new JsonObject { ["value"] = value, ["count"] = count });
                }

                feature["string_statistics"] = new JsonObject
                {
                    ["common"] = common,
                    ["distinct_count"] = f.Distinct,
                    ["distribution"] = new JsonObject { ["categorical"] = new JsonObject { ["buckets"] = buckets } },
                };
            }

            features.Add(feature);
        }

        return new JsonObject { ["version"] = 0.0, ["dataset"] = new JsonObject { ["item_count"] = profile.Rows }, ["features"] = features };
    }

    public static JsonObject Constraints(ReferenceProfile profile)
    {
        var features = new JsonArray();
        foreach (var f in profile.Features)
        {
            var total = f.Count + f.Missing + f.Infinite;
            var feature = new JsonObject
            {
                ["name"] = f.Name,
                ["inferred_type"] = InferredType(f),
                ["completeness"] = total == 0 ? 0.0 : (double)f.Count / total,
            };
            if (f.Kind == FeatureKind.Numeric)
            {
                feature["num_constraints"] = new JsonObject { ["is_non_negative"] = f.Min is >= 0 };
            }
            else if (f.OtherCount == 0 && f.Categories is { } categories)
            {
                feature["string_constraints"] = new JsonObject { ["domains"] = new JsonArray(categories.Keys.Order(StringComparer.Ordinal).Select(k => (JsonNode)k).ToArray()) };
            }

            features.Add(feature);
        }

        return new JsonObject
        {
            ["version"] = 0.0,
            ["features"] = features,
            ["monitoring_config"] = new JsonObject
            {
                ["evaluate_constraints"] = "Enabled",
                ["emit_metrics"] = "Enabled",
                ["datatype_check_threshold"] = 1.0,
                ["domain_content_threshold"] = 1.0,
                ["distribution_constraints"] = new JsonObject { ["perform_comparison"] = "Enabled", ["comparison_threshold"] = 0.1, ["comparison_method"] = "Robust" },
            },
        };
    }

    /// <summary>Writes statistics.json and constraints.json into <paramref name="directory"/>.</summary>
    public static async Task WriteAsync(ReferenceProfile profile, string directory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(directory);
        var options = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        await File.WriteAllTextAsync(Path.Combine(directory, "statistics.json"), Statistics(profile).ToJsonString(options), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "constraints.json"), Constraints(profile).ToJsonString(options), ct).ConfigureAwait(false);
    }

    private static string InferredType(FeatureProfile f) =>
        f.Kind == FeatureKind.Categorical ? "String"
        : f.Count == 0 ? "Unknown"
        : (f.Sample ?? []).All(v => v == Math.Floor(v)) && f.Min == Math.Floor(f.Min ?? 0) && f.Max == Math.Floor(f.Max ?? 0) ? "Integral"
        : "Fractional";
}
