namespace Turbine.Monitoring.Explain;

/// <summary>
/// Permutation importance on a labelled dataset: the drop of the score (accuracy for classification — outputs ≥ 0.5
/// are class 1 — or negative MSE for regression) when one feature's column is shuffled, averaged over repeats.
/// </summary>
public static class PermutationImportance
{
    public static async Task<(double Baseline, double[] Importances)> ComputeAsync(BatchPredictor predict, double[][] rows, double[] labels,
        bool classification, int repeats = 5, int seed = 1, CancellationToken ct = default)
    {
        var baseline = Score(await predict(rows, ct).ConfigureAwait(false), labels, classification);
        var m = rows[0].Length;
        var random = new Random(seed);
        var importances = new double[m];
        for (var j = 0; j < m; j++)
        {
            double drop = 0;
            for (var r = 0; r < repeats; r++)
            {
                var order = Enumerable.Range(0, rows.Length).OrderBy(_ => random.Next()).ToArray();
                var permuted = rows.Select((row, i) =>
                {
                    var copy = (double[])row.Clone();
                    copy[j] = rows[order[i]][j];
                    return copy;
                }).ToArray();
                drop += baseline - Score(await predict(permuted, ct).ConfigureAwait(false), labels, classification);
            }

            importances[j] = drop / repeats;
        }

        return (baseline, importances);
    }

    private static double Score(double[] outputs, double[] labels, bool classification) =>
        classification
            ? outputs.Zip(labels).Count(p => (p.First >= 0.5 ? 1 : 0) == (int)Math.Round(p.Second)) / (double)labels.Length
            : -outputs.Zip(labels).Average(p => (p.First - p.Second) * (p.First - p.Second));
}
