using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class RateScheduleTests
{
    [Fact]
    public void Offsets_Constant_AreOneOverRateApart()
    {
        var offsets = RateSchedule.Offsets(200, RateDistribution.Constant, new Random(1)).Take(4).ToList();
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(15)], offsets);
    }

    [Fact]
    public void Offsets_Poisson_IncreasingWithMeanGapOneOverRate()
    {
        var offsets = RateSchedule.Offsets(1000, RateDistribution.Poisson, new Random(7)).Take(20001).ToList();
        Assert.Equal(TimeSpan.Zero, offsets[0]);
        Assert.All(offsets.Zip(offsets.Skip(1)), p => Assert.True(p.Second >= p.First));
        var meanGapMs = offsets[^1].TotalMilliseconds / 20000;
        Assert.InRange(meanGapMs, 0.95, 1.05);
        var gaps = offsets.Zip(offsets.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        Assert.True(gaps.Distinct().Count() > 1000, "gaps vary");
    }

    [Fact]
    public void Offsets_Poisson_SameSeedSameSchedule()
    {
        var a = RateSchedule.Offsets(50, RateDistribution.Poisson, new Random(3)).Take(10).ToList();
        var b = RateSchedule.Offsets(50, RateDistribution.Poisson, new Random(3)).Take(10).ToList();
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void Offsets_BadRate_Throws(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RateSchedule.Offsets(rate, RateDistribution.Constant, new Random(1)));
    }
}
