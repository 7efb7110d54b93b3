using System.Text.Json.Nodes;

namespace Turbine.Monitoring.Explain;

/// <summary>Rows in, the model's whole output vector per row back (the batched inference path, or a function in tests).</summary>
public delegate Task<double[][]> RowsPredictor(double[][] rows, CancellationToken cancellationToken);

/// <summary>
/// Permutation importance on a labelled dataset: how much the metric worsens when one feature's column is shuffled,
/// per repeat (Alibi's <c>kind="difference"</c>: score metrics baseline − permuted, loss metrics permuted − baseline).
/// </summary>
public static class PermutationImportance
{
    /// <summary>Metric names, as Alibi and scikit-learn call them.</summary>
    public const string Accuracy = "accuracy";

    public const string MeanSquaredError = "mean_squared_error";

    public const string MeanAbsoluteError = "mean_absolute_error";

    /// <summary>The metrics that can be asked for.</summary>
    public static IReadOnlyList<string> Metrics { get; } = [Accuracy, MeanSquaredError, MeanAbsoluteError];

    /// <summary>
    /// Legacy form: one output per row; accuracy with outputs ≥ 0.5 as class 1, or negative MSE. Returns the baseline
    /// score and per feature the mean drop of the score.
    /// </summary>
    public static async Task<(double Baseline, double[] Importances)> ComputeAsync(BatchPredictor predict, double[][] rows, double[] labels,
        bool classification, int repeats = 5, int seed = 1, CancellationToken ct = default)
    {
        var result = await ComputeAsync(async (r, token) => (await predict(r, token).ConfigureAwait(false)).Select(v => new[] { v }).ToArray(),
            rows, labels, classification ? Accuracy : MeanSquaredError, target: 0, repeats, seed, int.MaxValue, ct).ConfigureAwait(false);
        return classification
            ? (result.Baseline, result.Means)
            : (-result.Baseline, result.Means); // the drop of −MSE equals the rise of MSE
    }

    /// <summary>
    /// Permutation importance of every feature with <paramref name="metric"/>: <c>accuracy</c> (the predicted class is
    /// the arg-max of the output vector, or output ≥ 0.5 for a single output; labels are class indices),
    /// <c>mean_squared_error</c> or <c>mean_absolute_error</c> (of output element <paramref name="target"/>). Each
    /// feature's permuted datasets (all its repeats) are concatenated and sent in chunks of <paramref name="batchRows"/> rows.
    /// </summary>
    public static async Task<PermutationResult> ComputeAsync(RowsPredictor predict, double[][] rows, double[] labels, string metric, int target,
        int repeats = 5, int seed = 1, int batchRows = 4096, CancellationToken ct = default)
    {
        if (rows.Length == 0 || rows.Length != labels.Length)
        {
            throw new ArgumentException($"permutation importance needs one label per row ({rows.Length} rows, {labels.Length} labels)", nameof(labels));
        }

        if (!Metrics.Contains(metric))
        {
            throw new ArgumentException($"unknown metric '{metric}' (one of {string.Join(", ", Metrics)})", nameof(metric));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        var n = rows.Length;
        var m = rows[0].Length;
        var baseline = Score(await PredictAsync(predict, rows, batchRows, ct).ConfigureAwait(false), labels, metric, target);

        // One feature at a time (memory: repeats × rows rows), its repeats in one list: the chunks fill the model's batches.
        var random = new Random(seed);
        var loss = metric != Accuracy;
        var samples = new double[m][];
        for (var j = 0; j < m; j++)
        {
            var permuted = new double[repeats * n][];
            for (var r = 0; r < repeats; r++)
            {
                var order = Enumerable.Range(0, n).ToArray();
                random.Shuffle(order);
                for (var i = 0; i < n; i++)
                {
                    var copy = (double[])rows[i].Clone();
                    copy[j] = rows[order[i]][j];
                    permuted[(r * n) + i] = copy;
                }
            }

            var outputs = await PredictAsync(predict, permuted, batchRows, ct).ConfigureAwait(false);
            samples[j] = new double[repeats];
            for (var r = 0; r < repeats; r++)
            {
                var score = Score(outputs.AsSpan(r * n, n), labels, metric, target);
                samples[j][r] = loss ? score - baseline : baseline - score;
            }
        }

        return new PermutationResult(metric, baseline, samples);
    }

    private static async Task<double[][]> PredictAsync(RowsPredictor predict, double[][] rows, int batchRows, CancellationToken ct)
    {
        var result = new double[rows.Length][];
        for (var start = 0; start < rows.Length; start += batchRows)
        {
            var count = Math.Min(batchRows, rows.Length - start);
            var chunk = await predict(rows.AsSpan(start, count).ToArray(), ct).ConfigureAwait(false);
            if (chunk.Length != count)
            {
                throw new InvalidOperationException($"the model returned {chunk.Length} outputs for {count} rows");
            }

            chunk.CopyTo(result, start);
        }

        return result;
    }

    private static double Score(ReadOnlySpan<double[]> outputs, double[] labels, string metric, int target)
    {
        double total = 0;
        for (var i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            total += metric switch
            {
                Accuracy => Predicted(o) == (int)Math.Round(labels[i]) ? 1 : 0,
                MeanSquaredError => (o[target] - labels[i]) * (o[target] - labels[i]),
                _ => Math.Abs(o[target] - labels[i]),
            };
        }

        return total / outputs.Length;
    }

    private static int Predicted(double[] output)
    {
        if (output.Length == 1)
        {
            return output[0] >= 0.5 ? 1 : 0;
        }

        var best = 0;
        for (var c = 1; c < output.Length; c++)
        {
            best = output[c] > output[best] ? c : best;
        }

        return best;
    }
}

/// <summary>
/// Permutation importance: the baseline metric and, per feature, the worsening of the metric in each repeat
/// (<see cref="Samples"/>[feature][repeat]).
/// </summary>
public sealed record PermutationResult(string Metric, double Baseline, double[][] Samples)
{
    /// <summary>Mean worsening per feature.</summary>
    public double[] Means => Samples.Select(s => s.Average()).ToArray();

    /// <summary>Population standard deviation per feature (numpy's <c>std</c>, as Alibi).</summary>
    public double[] Stds => Samples.Select(s =>
    {
        var mean = s.Average();
        return Math.Sqrt(s.Average(v => (v - mean) * (v - mean)));
    }).ToArray();

    /// <summary>Alibi's PermutationImportance explanation (<c>meta</c>, <c>data.feature_names</c>, <c>metric_names</c>, <c>feature_importance</c>), plus <c>data.baseline</c>.</summary>
    public JsonObject ToAlibi(IReadOnlyList<string> featureNames, int rows, int seed)
    {
        var means = Means;
        var stds = Stds;
        var loss = Metric != PermutationImportance.Accuracy;
        return new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["name"] = "PermutationImportance",
                ["type"] = new JsonArray("blackbox"),
                ["explanations"] = new JsonArray("global"),
                ["params"] = new JsonObject
                {
                    ["metric_names"] = new JsonArray(Metric),
                    ["loss_fns"] = loss ? new JsonArray(Metric) : new JsonArray(),
                    ["score_fns"] = loss ? new JsonArray() : new JsonArray(Metric),
                    ["method"] = "shuffle",
                    ["kind"] = "difference",
                    ["n_repeats"] = Samples.Length == 0 ? 0 : Samples[0].Length,
                    ["seed"] = seed,
                    ["rows"] = rows,
                },
                ["version"] = "turbine",
            },
            ["data"] = new JsonObject
            {
                ["feature_names"] = new JsonArray(featureNames.Select(n => (JsonNode)n).ToArray()),
                ["metric_names"] = new JsonArray(Metric),
                ["feature_importance"] = new JsonArray(new JsonArray(Samples.Select((s, j) => (JsonNode)new JsonObject
                {
                    ["mean"] = means[j],
                    ["std"] = stds[j],
                    ["samples"] = new JsonArray(s.Select(v => (JsonNode)v).ToArray()),
                }).ToArray())),
                ["baseline"] = new JsonObject { [Metric] = Baseline },
            },
        };
    }
}
