using Turbine.Protocol.Telemetry;

namespace Turbine.Protocol.Tests.Telemetry;

public sealed class HistogramTests
{
    [Fact]
    public void Observe_ValueOnABound_CountsInThatBucket()
    {
        var h = new Histogram(1, 2, 5);

        h.Observe(1);
        h.Observe(2);
        h.Observe(2.0000001);
        h.Observe(6);
        var s = h.Snapshot();

        Assert.Equal(new long[] { 1, 2, 3, 4 }, s.Cumulative.ToArray());
        Assert.Equal(4, s.Count);
        Assert.Equal(1 + 2 + 2.0000001 + 6, s.Sum);
    }

    [Fact]
    public void Snapshot_NothingObserved_ZerosAndBoundsAsGiven()
    {
        var s = new Histogram(0.001, 0.01).Snapshot();

        Assert.Equal(new long[] { 0, 0, 0 }, s.Cumulative.ToArray());
        Assert.Equal(0, s.Count);
        Assert.Equal(0, s.Sum);
        Assert.Equal(new[] { 0.001, 0.01 }, s.Bounds.ToArray());
    }

    [Fact]
    public void Observe_NegativeAndInfinite_FirstAndLastBucket()
    {
        var h = new Histogram(0, 1);

        h.Observe(-3);
        h.Observe(double.PositiveInfinity);

        Assert.Equal(new long[] { 1, 1, 2 }, h.Snapshot().Cumulative.ToArray());
    }

    [Fact]
    public async Task Observe_ConcurrentWriters_NoCountOrSumLost()
    {
        var h = new Histogram(0.5, 1.5);
        const int Writers = 8, Each = 20_000;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                h.Observe(w % 2); // 0 and 1: exact sums
            }
        })));
        var s = h.Snapshot();

        Assert.Equal(Writers * Each, s.Count);
        Assert.Equal(Writers / 2 * Each, s.Cumulative[0]);
        Assert.Equal(Writers / 2 * Each, s.Sum);
    }

    [Theory]
    [InlineData(new double[0])]
    [InlineData(new[] { 1.0, 1.0 })]
    [InlineData(new[] { 2.0, 1.0 })]
    [InlineData(new[] { 1.0, double.NaN })]
    public void Constructor_BoundsNotStrictlyIncreasing_Throws(double[] bounds) =>
        Assert.Throws<ArgumentException>(() => new Histogram(bounds));

    [Fact]
    public void Constructor_CopiesBounds_LaterChangesToCallerArrayIgnored()
    {
        double[] bounds = [1, 2];
        var h = new Histogram(bounds);

        bounds[0] = 100;
        h.Observe(1.5);

        Assert.Equal(new[] { 1.0, 2.0 }, h.Bounds.ToArray());
        Assert.Equal(new long[] { 0, 1, 1 }, h.Snapshot().Cumulative.ToArray());
    }
}
