using Turbine.Monitoring.Data;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Drift;

/// <summary>
/// Tests current data against a <see cref="ReferenceProfile"/> with Evidently's automatic choice of test: reference
/// ≤ 1000 values → numeric with &gt; 5 distinct values: KS; otherwise chi-squared (&gt; 2 distinct) or the
/// proportion Z-test; reference &gt; 1000 values → numeric with &gt; 5 distinct values: normalized Wasserstein, else
/// Jensen–Shannon. Distinct values are counted over reference and current together.
/// </summary>
public static class DriftDetector
{
    private const string OtherKey = "\u0000other";

    public static DriftReport Detect(ReferenceProfile reference, FeatureTable current, DriftOptions? options = null)
    {
        options ??= DriftOptions.Default;
        var results = new List<ColumnDrift>();
        foreach (var feature in reference.Features)
        {
            var column = current.Find(feature.Name);
            results.Add(column is null
                ? new ColumnDrift { Feature = feature.Name, Test = "", ReferenceCount = feature.Count, Skipped = "the feature is absent from the current data" }
                : DetectColumn(feature, column, options));
        }

        return Summarize(results, options);
    }

    public static DriftReport Summarize(IReadOnlyList<ColumnDrift> results, DriftOptions options)
    {
        var tested = results.Count(r => r.Skipped is null);
        var drifted = results.Count(r => r.Drifted);
        var share = tested == 0 ? 0 : (double)drifted / tested;
        return new DriftReport
        {
            Features = results,
            Tested = tested,
            Drifted = drifted,
            Share = share,
            DriftShareThreshold = options.DriftShare,
            DatasetDrift = tested > 0 && share >= options.DriftShare,
        };
    }

    public static ColumnDrift DetectColumn(FeatureProfile feature, FeatureColumn column, DriftOptions options)
    {
        if (feature.Kind == FeatureKind.Numeric && !column.IsNumeric)
        {
            return new ColumnDrift { Feature = feature.Name, Test = "", ReferenceCount = feature.Count, Skipped = "the reference is numeric, the current values are not" };
        }

        if (feature.Kind == FeatureKind.Numeric)
        {
            var values = column.Numbers!.Where(double.IsFinite).ToArray();
            return DetectNumeric(feature, values, options);
        }

        var texts = column.IsNumeric
            ? column.Numbers!.Where(double.IsFinite).Select(ProfileBuilder.NumberKey).ToArray()
            : column.Texts!.Where(t => t is not null).Select(t => t!).ToArray();
        return DetectCategorical(feature, texts, options);
    }

    public static ColumnDrift DetectNumeric(FeatureProfile feature, double[] current, DriftOptions options)
    {
        if (current.Length == 0 || feature.Count == 0)
        {
            return new ColumnDrift { Feature = feature.Name, Test = "", ReferenceCount = feature.Count, Skipped = current.Length == 0 ? "no current values" : "no reference values" };
        }

        var reference = feature.Sample ?? [];
        var lowCardinality = feature.Categories is not null;
        int distinct;
        if (lowCardinality)
        {
            var keys = new HashSet<string>(feature.Categories!.Keys, StringComparer.Ordinal);
            foreach (var v in current)
            {
                if (keys.Add(ProfileBuilder.NumberKey(v)) && keys.Count > 5)
                {
                    break;
                }
            }

            distinct = keys.Count;
        }
        else
        {
            distinct = int.MaxValue;
        }

        var test = options.FeatureTests.TryGetValue(feature.Name, out var chosen)
            ? chosen
            : feature.Count <= 1000
                ? distinct > 5 ? DriftTestNames.KolmogorovSmirnov : distinct > 2 ? DriftTestNames.ChiSquare : DriftTestNames.ProportionZ
                : distinct > 5 ? DriftTestNames.Wasserstein : DriftTestNames.JensenShannon;
        var threshold = options.ThresholdOf(test);
        double score, statistic;
        Distribution distribution;
        switch (test)
        {
            case DriftTestNames.KolmogorovSmirnov:
                (statistic, score) = StatTests.KolmogorovSmirnov(reference, current);
                distribution = NumericBins(reference, current);
                break;
            case DriftTestNames.Wasserstein:
                score = statistic = StatTests.NormalizedWasserstein(reference, current, feature.Std);
                distribution = NumericBins(reference, current);
                break;
            default:
            {
                // Categorical-style tests on a numeric feature: value counts when the reference has ≤ 20 distinct values
                // (Evidently's binning rule), else Sturges bins over reference and current together.
                if (lowCardinality)
                {
                    var counts = Count(current.Select(ProfileBuilder.NumberKey));
                    return Categorical(feature, test, threshold, counts);
                }

                distribution = NumericBins(reference, current);
                (score, statistic) = SharesTest(test, distribution);
                break;
            }
        }

        return Result(feature, test, score, statistic, threshold, current.Length, distribution);
    }

    public static ColumnDrift DetectCategorical(FeatureProfile feature, string[] current, DriftOptions options)
    {
        if (current.Length == 0 || feature.Count == 0)
        {
            return new ColumnDrift { Feature = feature.Name, Test = "", ReferenceCount = feature.Count, Skipped = current.Length == 0 ? "no current values" : "no reference values" };
        }

        var counts = Count(current);
        var distinct = new HashSet<string>(feature.Categories!.Keys.Concat(counts.Keys)).Count;
        var test = options.FeatureTests.TryGetValue(feature.Name, out var chosen)
            ? chosen
            : feature.Count <= 1000
                ? distinct > 2 ? DriftTestNames.ChiSquare : DriftTestNames.ProportionZ
                : DriftTestNames.JensenShannon;
        if (!DriftTestNames.Applies(test, FeatureKind.Categorical))
        {
            return new ColumnDrift { Feature = feature.Name, Test = test, ReferenceCount = feature.Count, Skipped = $"test '{test}' applies to numeric features only" };
        }

        return Categorical(feature, test, options.ThresholdOf(test), counts);
    }

    private static ColumnDrift Categorical(FeatureProfile feature, string test, double threshold, Dictionary<string, long> current)
    {
        var reference = new Dictionary<string, long>(feature.Categories!, StringComparer.Ordinal);
        if (feature.OtherCount > 0)
        {
            reference[OtherKey] = feature.OtherCount;
            foreach (var key in current.Keys.Where(k => !reference.ContainsKey(k)).ToArray())
            {
                // A current value the truncated profile does not list may be one of the "other" categories.
                current[OtherKey] = current.GetValueOrDefault(OtherKey) + current[key];
                current.Remove(key);
            }
        }

        var labels = reference.Keys.Union(current.Keys).Order(CategoryOrder.Instance).ToArray();
        long nRef = reference.Values.Sum(), nCur = current.Values.Sum();
        var distribution = new Distribution(
            labels.Select(l => l == OtherKey ? "(other)" : l).ToArray(),
            null,
            labels.Select(l => (double)reference.GetValueOrDefault(l) / nRef).ToArray(),
            labels.Select(l => (double)current.GetValueOrDefault(l) / nCur).ToArray());
        double score, statistic;
        switch (test)
        {
            case DriftTestNames.ChiSquare:
                (statistic, score) = StatTests.ChiSquare(reference, current);
                break;
            case DriftTestNames.ProportionZ:
                (statistic, score) = StatTests.ProportionZ(reference, current);
                break;
            default:
                (score, statistic) = SharesTest(test, distribution);
                break;
        }

        return Result(feature, test, score, statistic, threshold, nCur, distribution);
    }

    private static (double Score, double Statistic) SharesTest(string test, Distribution distribution)
    {
        if (test == DriftTestNames.JensenShannon)
        {
            var js = StatTests.JensenShannon(distribution.Reference, distribution.Current);
            return (js, js);
        }

        var reference = (double[])distribution.Reference.Clone();
        var current = (double[])distribution.Current.Clone();
        StatTests.FillZeroes(reference);
        StatTests.FillZeroes(current);
        var psi = StatTests.Psi(reference, current);
        return (psi, psi);
    }

    private static Distribution NumericBins(double[] reference, double[] current)
    {
        var all = new double[reference.Length + current.Length];
        reference.CopyTo(all, 0);
        current.CopyTo(all, reference.Length);
        var edges = StatTests.SturgesEdges(all);
        var r = StatTests.Histogram(reference, edges);
        var c = StatTests.Histogram(current, edges);
        return new Distribution(
            Enumerable.Range(0, r.Length).Select(k => $"[{edges[k]:G4}, {edges[k + 1]:G4}{(k == r.Length - 1 ? "]" : ")")}").ToArray(),
            edges,
            r.Select(x => (double)x / reference.Length).ToArray(),
            c.Select(x => (double)x / current.Length).ToArray());
    }

    private static Dictionary<string, long> Count(IEnumerable<string> values)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        return counts;
    }

    private static ColumnDrift Result(FeatureProfile feature, string test, double score, double statistic, double threshold, long currentCount, Distribution distribution) =>
        new()
        {
            Feature = feature.Name,
            Test = test,
            Score = score,
            Statistic = statistic,
            Threshold = threshold,
            Drifted = DriftTestNames.IsPValue(test) ? score < threshold : score >= threshold,
            ReferenceCount = feature.Count,
            CurrentCount = currentCount,
            Distribution = distribution,
        };
}
