namespace Turbine.Cli.Bench;

/// <summary>Latency percentiles and mean of a set of request latencies, in microseconds.</summary>
internal readonly record struct LatencySummary(double P50, double P90, double P95, double P99, double Average, int Count)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes <paramref name="latenciesUs"/> (any order; not modified).</summary>
    public static LatencySummary Of(IReadOnlyCollection<double> latenciesUs)
    {
        if (latenciesUs.Count == 0)
        {
            return Empty;
        }

        var sorted = latenciesUs.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(
            Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 95), Percentile(sorted, 99),
            sorted.Average(), sorted.Length);
    }

    /// <summary>
    /// The nearest-rank percentile (as perf_analyzer): the smallest value with at least <paramref name="p"/>% of
    /// the values at or below it. <paramref name="sorted"/> is ascending; an empty array gives 0.
    /// </summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double p)
    {
        if (p is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is between 0 and 100");
        }

        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
