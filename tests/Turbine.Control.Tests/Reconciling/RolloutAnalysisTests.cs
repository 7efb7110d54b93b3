using Turbine.Control.Reconciling;
using Turbine.Control.Specs;
using Turbine.Control.Traffic;

namespace Turbine.Control.Tests.Reconciling;

public sealed class RolloutAnalysisTests
{
    private static readonly double[] Bounds = [5, 10, 50, 100];

    private static RevisionTraffic Traffic(long requests, long errors, params long[] counts) => new("r", requests, errors, Bounds, counts);

    [Fact]
    public void The_window_is_the_difference_of_two_cumulative_snapshots()
    {
        var w = WindowTraffic.Between(Traffic(10, 1, 10, 0, 0, 0, 0), Traffic(110, 6, 50, 60, 0, 0, 0));
        Assert.Equal(100, w.Requests);
        Assert.Equal(5, w.Errors);
        Assert.Equal(0.05, w.ErrorRate, 10);
        Assert.Equal([40, 60, 0, 0, 0], w.Counts);
    }

    [Fact]
    public void P99_is_the_upper_bound_of_the_bucket_holding_the_99th_percentile()
    {
        Assert.Equal(10, new WindowTraffic(100, 0, Bounds, [50, 49, 1, 0, 0]).P99Ms());
        Assert.Equal(50, new WindowTraffic(100, 0, Bounds, [50, 48, 2, 0, 0]).P99Ms());
        // In the overflow bucket: twice the last bound, above any bounded bucket.
        Assert.Equal(200, new WindowTraffic(100, 0, Bounds, [0, 0, 0, 0, 100]).P99Ms());
        Assert.Null(WindowTraffic.Empty.P99Ms());
    }

    [Fact]
    public void A_canary_over_the_error_rate_fails_and_the_summary_gives_both_sides()
    {
        var settings = TurbineSettings.Default with { MaxErrorRate = 0.01 };
        var (verdict, summary) = RolloutAnalysis.Evaluate(new WindowTraffic(100, 2, Bounds, [100, 0, 0, 0, 0]), new WindowTraffic(900, 0, Bounds, [900, 0, 0, 0, 0]), settings);
        Assert.Equal(AnalysisVerdict.Fail, verdict);
        Assert.Contains("error rate 0.02 (max 0.01)", summary);
        Assert.Contains("stable 900 requests", summary);
        Assert.Equal(AnalysisVerdict.Pass, RolloutAnalysis.Evaluate(new WindowTraffic(100, 1, Bounds, [100, 0, 0, 0, 0]), WindowTraffic.Empty, settings).Verdict);
    }

    [Fact]
    public void A_canary_slower_than_the_ratio_allows_fails_and_one_within_it_passes()
    {
        var settings = TurbineSettings.Default with { MaxP99LatencyRatio = 1.5 };
        var stable = new WindowTraffic(100, 0, Bounds, [0, 100, 0, 0, 0]);
        Assert.Equal(AnalysisVerdict.Fail, RolloutAnalysis.Evaluate(new WindowTraffic(100, 0, Bounds, [0, 0, 100, 0, 0]), stable, settings).Verdict);
        Assert.Equal(AnalysisVerdict.Pass, RolloutAnalysis.Evaluate(new WindowTraffic(100, 0, Bounds, [0, 100, 0, 0, 0]), stable, settings).Verdict);
    }

    [Fact]
    public void Latency_is_not_judged_on_too_few_requests()
    {
        // Ten cold requests of a new canary: its p99 is its slowest one, not a property of the version.
        var settings = TurbineSettings.Default with { MaxP99LatencyRatio = 1.5 };
        var stable = new WindowTraffic(900, 0, Bounds, [0, 900, 0, 0, 0]);
        Assert.Equal(AnalysisVerdict.Pass, RolloutAnalysis.Evaluate(new WindowTraffic(10, 0, Bounds, [0, 0, 10, 0, 0]), stable, settings).Verdict);
        Assert.Equal(AnalysisVerdict.Fail, RolloutAnalysis.Evaluate(new WindowTraffic(50, 0, Bounds, [0, 0, 50, 0, 0]), stable, settings).Verdict);
    }

    [Fact]
    public void No_canary_traffic_passes_with_a_reason()
    {
        var (verdict, summary) = RolloutAnalysis.Evaluate(WindowTraffic.Empty, WindowTraffic.Empty, TurbineSettings.Default);
        Assert.Equal(AnalysisVerdict.Pass, verdict);
        Assert.Contains("no canary requests", summary);
    }
}
