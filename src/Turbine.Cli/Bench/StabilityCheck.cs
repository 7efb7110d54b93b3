namespace Turbine.Cli.Bench;

/// <summary>
/// When a level's measurement has settled: the last <see cref="Windows"/> windows' throughput and p50 latency
/// each lie within the stability percentage of their mean over those windows (perf_analyzer's rule).
/// </summary>
internal static class StabilityCheck
{
    /// <summary>How many consecutive windows must agree.</summary>
    public const int Windows = 3;

    public static bool IsStable(IReadOnlyList<WindowResult> windows, double percentage)
    {
        if (windows.Count < Windows)
        {
            return false;
        }

        var last = windows.Skip(windows.Count - Windows).ToArray();
        if (last.Any(w => w.Completed == 0))
        {
            return false;
        }

        return WithinPercent(last.Select(w => w.Throughput), percentage)
            && WithinPercent(last.Select(w => w.Latency.P50), percentage);
    }

    /// <summary>Whether every value is within <paramref name="percentage"/>% of the values' mean.</summary>
    public static bool WithinPercent(IEnumerable<double> values, double percentage)
    {
        var list = values.ToArray();
        var mean = list.Average();
        if (mean <= 0)
        {
            return false;
        }

        return list.All(v => Math.Abs(v - mean) <= mean * percentage / 100);
    }
}
