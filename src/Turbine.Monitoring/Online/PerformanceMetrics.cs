namespace Turbine.Monitoring.Online;

/// <summary>
/// Performance of served predictions against their labels. A prediction vector of length 1 is a score (class 1 when
/// ≥ 0.5, and the ROC score); longer vectors pick the arg-max class (ROC score: element 1 when there are two).
/// </summary>
public static class PerformanceMetrics
{
    public static IReadOnlyDictionary<string, double> Compute(ModelTask task, IReadOnlyList<(double[] Prediction, double Label)> pairs)
    {
        var result = new Dictionary<string, double> { ["count"] = pairs.Count };
        if (pairs.Count == 0)
        {
            return result;
        }

        if (task == ModelTask.Regression)
        {
            double abs = 0, sq = 0;
            foreach (var (prediction, label) in pairs)
            {
                var e = (prediction.Length > 0 ? prediction[0] : double.NaN) - label;
                abs += Math.Abs(e);
                sq += e * e;
            }

            result["mae"] = abs / pairs.Count;
            result["rmse"] = Math.Sqrt(sq / pairs.Count);
            return result;
        }

        var predicted = pairs.Select(p => PredictedClass(p.Prediction)).ToArray();
        var labels = pairs.Select(p => (long)Math.Round(p.Label)).ToArray();
        result["accuracy"] = predicted.Zip(labels).Count(p => p.First == p.Second) / (double)pairs.Count;
        var classes = labels.Concat(predicted).Distinct().Order().ToArray();
        var binary = classes.All(c => c is 0 or 1);
        var positives = binary ? [1L] : classes;
        double precision = 0, recall = 0, f1 = 0;
        foreach (var c in positives)
        {
            long tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                if (predicted[i] == c && labels[i] == c)
                {
                    tp++;
                }
                else if (predicted[i] == c)
                {
                    fp++;
                }
                else if (labels[i] == c)
                {
                    fn++;
                }
            }

            // sklearn's zero_division=0.
            var p = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            var r = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            precision += p;
            recall += r;
            f1 += p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        result["precision"] = precision / positives.Length;
        result["recall"] = recall / positives.Length;
        result["f1"] = f1 / positives.Length;
        if (binary && pairs.All(p => p.Prediction.Length is 1 or 2) && labels.Distinct().Count() == 2)
        {
            result["roc_auc"] = RocAuc(pairs.Select(p => p.Prediction.Length == 1 ? p.Prediction[0] : p.Prediction[1]).ToArray(), labels);
        }

        return result;
    }

    public static long PredictedClass(double[] prediction)
    {
        if (prediction.Length == 0)
        {
            return -1;
        }

        if (prediction.Length == 1)
        {
            return prediction[0] >= 0.5 ? 1 : 0;
        }

        var best = 0;
        for (var k = 1; k < prediction.Length; k++)
        {
            if (prediction[k] > prediction[best])
            {
                best = k;
            }
        }

        return best;
    }

    /// <summary>ROC AUC as the Mann–Whitney statistic with average ranks for ties (equals sklearn's roc_auc_score).</summary>
    public static double RocAuc(double[] scores, long[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        long pos = labels.Count(l => l == 1), neg = labels.Length - pos;
        var sum = labels.Select((l, i) => l == 1 ? ranks[i] : 0).Sum();
        return (sum - (pos * (pos + 1) / 2.0)) / (pos * (double)neg);
    }
}
