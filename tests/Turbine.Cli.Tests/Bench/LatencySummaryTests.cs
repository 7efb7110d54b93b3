using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class LatencySummaryTests
{
    [Fact]
    public void Of_OneToHundred_GivesNearestRankPercentiles()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        var s = LatencySummary.Of(values);
        Assert.Equal(50, s.P50);
        Assert.Equal(90, s.P90);
        Assert.Equal(95, s.P95);
        Assert.Equal(99, s.P99);
        Assert.Equal(50.5, s.Average);
        Assert.Equal(100, s.Count);
    }

    [Fact]
    public void Percentile_SmallSet_RoundsRankUp()
    {
        double[] sorted = [10, 20, 30];
        Assert.Equal(20, LatencySummary.Percentile(sorted, 50));
        Assert.Equal(30, LatencySummary.Percentile(sorted, 90));
        Assert.Equal(10, LatencySummary.Percentile(sorted, 0));
        Assert.Equal(30, LatencySummary.Percentile(sorted, 100));
    }

    [Fact]
    public void Of_Empty_IsZero()
    {
        Assert.Equal(LatencySummary.Empty, LatencySummary.Of([]));
        Assert.Equal(0, LatencySummary.Percentile([], 99));
    }

    [Fact]
    public void Percentile_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencySummary.Percentile([1.0], 101));
    }
}
