using System.Text.Json.Nodes;
using Turbine.Monitoring.Explain;
using Turbine.Monitoring.Online;

namespace Turbine.Monitoring.Http;

/// <summary><c>"explainer": "permutation"</c>: permutation importance of a labelled set sent with the request.</summary>
public static partial class ExplainEndpoint
{
    /// <summary>Labelled rows one permutation request may send.</summary>
    public const int MaxPermutationRows = 2000;

    /// <summary>Repeats (shuffles per feature) at most.</summary>
    public const int MaxRepeats = 20;

    /// <summary>Perturbed rows one permutation request may cause (rows × features × repeats), checked before any is built.</summary>
    public const long MaxPerturbedRows = 1_000_000;

    /// <summary>Values held at once (one feature's repeats: rows × repeats × features), checked before any is built.</summary>
    public const long MaxPerturbedValues = 4_000_000;

    private static async Task<JsonNode> PermutationAsync(TabularModel tabular, MonitoringService? monitoring, JsonNode body, string[] names, CancellationToken ct)
    {
        var rows = Rows(body["instances"], tabular.Features, "instances", MaxPermutationRows);
        if (body["labels"] is not JsonArray labelNodes || labelNodes.Count != rows.Length
            || labelNodes.Any(l => l is not JsonValue v || !v.TryGetValue<double>(out var d) || !double.IsFinite(d)))
        {
            throw new FormatException($"\"labels\" must hold one finite number per instance ({rows.Length})");
        }

        var labels = labelNodes.Select(l => l!.GetValue<double>()).ToArray();
        var repeats = Integer(body["repeats"], "repeats") ?? 5;
        if (repeats is < 1 or > MaxRepeats)
        {
            throw new FormatException($"\"repeats\" must be between 1 and {MaxRepeats}");
        }

        if ((long)rows.Length * tabular.Features * repeats > MaxPerturbedRows)
        {
            throw new FormatException($"{rows.Length} rows × {tabular.Features} features × {repeats} repeats is more than the {MaxPerturbedRows} perturbed rows one request may cause");
        }

        if ((long)rows.Length * repeats * tabular.Features > MaxPerturbedValues)
        {
            throw new FormatException($"{rows.Length} rows × {repeats} repeats of {tabular.Features} values is more than the {MaxPerturbedValues} values one feature's permutations may hold");
        }

        var seed = Integer(body["seed"], "seed") ?? 1;
        var target = Integer(body["target"], "target") ?? 0;
        var width = (await tabular.PredictAsync([rows[0]], ct).ConfigureAwait(false))[0].Length;
        if (target < 0 || target >= width)
        {
            throw new FormatException($"target {target} is not an output index (the output has {width} values per row)");
        }

        string metric;
        if (body["metric"] is { } given)
        {
            if (given is not JsonValue v || !v.TryGetValue(out metric!) || !PermutationImportance.Metrics.Contains(metric))
            {
                throw new FormatException($"\"metric\" must be one of {string.Join(", ", PermutationImportance.Metrics)}");
            }
        }
        else
        {
            // Monitored models say their task; otherwise several outputs per row are class scores, one is a value.
            var task = monitoring?.Find(tabular.Model)?.Settings.Task;
            metric = task == ModelTask.Regression || (task is null && width == 1) ? PermutationImportance.MeanSquaredError : PermutationImportance.Accuracy;
        }

        var result = await PermutationImportance.ComputeAsync(tabular.PredictAsync, rows, labels, metric, target, repeats, seed, tabular.BatchRows, ct).ConfigureAwait(false);
        var alibi = result.ToAlibi(names, rows.Length, seed);
        if (metric != PermutationImportance.Accuracy)
        {
            alibi["meta"]!["params"]!["target"] = target;
        }

        return alibi;
    }
}
