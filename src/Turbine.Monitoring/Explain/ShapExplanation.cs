using System.Text.Json.Nodes;

namespace Turbine.Monitoring.Explain;

/// <summary>SHAP values of one instance: Σ <see cref="Values"/> = <see cref="Prediction"/> − <see cref="ExpectedValue"/>.</summary>
public sealed record ShapExplanation(double[] Values, double ExpectedValue, double Prediction, bool Exact)
{
    /// <summary>The explanation in Alibi's JSON shape (<c>meta</c> + <c>data.shap_values</c>, <c>expected_value</c>, <c>feature_names</c>, <c>raw</c>).</summary>
    public JsonObject ToAlibi(IReadOnlyList<string> featureNames, double[] instance, int backgroundRows) => new()
    {
        ["meta"] = new JsonObject
        {
            ["name"] = "KernelShap",
            ["type"] = new JsonArray("blackbox"),
            ["task"] = "regression",
            ["explanations"] = new JsonArray("local", "global"),
            ["params"] = new JsonObject { ["link"] = "identity", ["exact"] = Exact, ["background_rows"] = backgroundRows },
            ["version"] = "turbine",
        },
        ["data"] = new JsonObject
        {
            ["shap_values"] = new JsonArray(new JsonArray(new JsonArray(Values.Select(v => (JsonNode)v).ToArray()))),
            ["expected_value"] = new JsonArray(ExpectedValue),
            ["categorical_names"] = new JsonObject(),
            ["feature_names"] = new JsonArray(featureNames.Select(n => (JsonNode)n).ToArray()),
            ["raw"] = new JsonObject
            {
                ["raw_prediction"] = new JsonArray(Prediction),
                ["prediction"] = new JsonArray(Prediction),
                ["instances"] = new JsonArray(new JsonArray(instance.Select(v => (JsonNode)v).ToArray())),
                ["importances"] = new JsonObject
                {
                    ["0"] = new JsonObject
                    {
                        ["ranked_effect"] = new JsonArray(Values.Select(Math.Abs).OrderDescending().Select(v => (JsonNode)v).ToArray()),
                        ["names"] = new JsonArray(Values.Select((v, i) => (v, i)).OrderByDescending(p => Math.Abs(p.v)).Select(p => (JsonNode)featureNames[p.i]).ToArray()),
                    },
                },
            },
        },
    };
}
