using System.Globalization;
using Turbine.Control.Specs;
using Turbine.Control.Traffic;

namespace Turbine.Control.Reconciling;

/// <summary>The verdict of one canary analysis.</summary>
internal enum AnalysisVerdict
{
    /// <summary>The canary is within both thresholds (or saw no traffic to judge): advance.</summary>
    Pass,

    /// <summary>The canary is over a threshold: roll back.</summary>
    Fail,
}

/// <summary>Counters of one revision over a window: the difference of two cumulative snapshots.</summary>
/// <param name="Requests">Requests answered in the window.</param>
/// <param name="Errors">Server errors in the window.</param>
/// <param name="BoundsMs">Latency bucket upper bounds, ms.</param>
/// <param name="Counts">Requests per bucket in the window (one more than the bounds: overflow).</param>
internal sealed record WindowTraffic(long Requests, long Errors, IReadOnlyList<double> BoundsMs, IReadOnlyList<long> Counts)
{
    public static WindowTraffic Empty { get; } = new(0, 0, [], []);

    public double ErrorRate => Requests > 0 ? (double)Errors / Requests : 0;

    /// <summary>The window's traffic: <paramref name="now"/> minus <paramref name="start"/> (null start: everything so far).</summary>
    public static WindowTraffic Between(RevisionTraffic? start, RevisionTraffic? now)
    {
        if (now is null)
        {
            return Empty;
        }

        // A start taken from another histogram layout (or none) cannot be subtracted bucket by bucket: count from zero.
        var sameLayout = start is not null && start.LatencyCounts.Count == now.LatencyCounts.Count;
        var counts = new long[now.LatencyCounts.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Math.Max(0, now.LatencyCounts[i] - (sameLayout ? start!.LatencyCounts[i] : 0));
        }

        return new WindowTraffic(
            Math.Max(0, now.Requests - (sameLayout ? start!.Requests : 0)),
            Math.Max(0, now.Errors - (sameLayout ? start!.Errors : 0)),
            now.LatencyBucketsMs,
            counts);
    }

    /// <summary>The 99th percentile latency in ms (the upper bound of the bucket it falls in); null without requests.</summary>
    public double? P99Ms()
    {
        long total = 0;
        foreach (var c in Counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(total * 0.99);
        long seen = 0;
        for (var i = 0; i < Counts.Count; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                // The overflow bucket has no upper bound: report twice the last bound, which is over any threshold ratio
                // computed from the bounded buckets.
                return i < BoundsMs.Count ? BoundsMs[i] : (BoundsMs.Count > 0 ? BoundsMs[^1] * 2 : double.PositiveInfinity);
            }
        }

        return BoundsMs.Count > 0 ? BoundsMs[^1] * 2 : null;
    }
}

/// <summary>
/// Compares a canary with the stable revision over an analysis window, as a pure function: the canary fails when its
/// error rate exceeds <see cref="TurbineSettings.MaxErrorRate"/> or its p99 latency exceeds the stable revision's p99
/// times <see cref="TurbineSettings.MaxP99LatencyRatio"/> (when both have requests).
/// </summary>
internal static class RolloutAnalysis
{
    /// <summary>
    /// Requests each side needs in the window before their p99 latencies are compared: with fewer, the p99 is the
    /// slowest request or two (a canary's first, cold requests), which says nothing about the version.
    /// </summary>
    public const int MinLatencySamples = 50;

    public static (AnalysisVerdict Verdict, string Summary) Evaluate(WindowTraffic canary, WindowTraffic stable, TurbineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(settings);
        var c = CultureInfo.InvariantCulture;
        if (canary.Requests == 0)
        {
            return (AnalysisVerdict.Pass, "no canary requests in the window: nothing to judge, advancing");
        }

        var canaryP99 = canary.P99Ms();
        var stableP99 = stable.P99Ms();
        var figures = string.Format(c,
            "canary {0} requests, error rate {1:0.####} (max {2:0.####}), p99 {3} ms; stable {4} requests, error rate {5:0.####}, p99 {6} ms",
            canary.Requests, canary.ErrorRate, settings.MaxErrorRate, Ms(canaryP99), stable.Requests, stable.ErrorRate, Ms(stableP99));
        if (canary.ErrorRate > settings.MaxErrorRate)
        {
            return (AnalysisVerdict.Fail, "canary error rate over the limit: " + figures);
        }

        if (canary.Requests >= MinLatencySamples && stable.Requests >= MinLatencySamples
            && canaryP99 is { } cp && stableP99 is { } sp && sp > 0 && cp > sp * settings.MaxP99LatencyRatio)
        {
            return (AnalysisVerdict.Fail, string.Format(c, "canary p99 latency {0:0.##}x the stable's (max {1:0.##}x): ", cp / sp, settings.MaxP99LatencyRatio) + figures);
        }

        return (AnalysisVerdict.Pass, "canary within limits: " + figures);

        static string Ms(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "n/a";
    }
}
