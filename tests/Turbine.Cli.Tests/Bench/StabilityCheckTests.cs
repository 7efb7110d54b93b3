using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class StabilityCheckTests
{
    /// <summary>A one-second window of <paramref name="completed"/> requests, each of latency <paramref name="p50"/>.</summary>
    private static WindowResult Window(int completed, double p50) =>
        new(TimeSpan.FromSeconds(1), completed, 0, 1, Enumerable.Repeat(p50, completed).ToList(), 0, 0, 0, null);

    [Fact]
    public void IsStable_ThreeAgreeingWindows_True()
    {
        Assert.True(StabilityCheck.IsStable([Window(1000, 500), Window(1050, 510), Window(980, 495)], 10));
    }

    [Fact]
    public void IsStable_FewerThanThree_False()
    {
        Assert.False(StabilityCheck.IsStable([Window(1000, 500), Window(1000, 500)], 10));
    }

    [Fact]
    public void IsStable_ThroughputSpread_False()
    {
        Assert.False(StabilityCheck.IsStable([Window(1000, 500), Window(1400, 500), Window(1000, 500)], 10));
    }

    [Fact]
    public void IsStable_LatencySpread_False()
    {
        Assert.False(StabilityCheck.IsStable([Window(1000, 500), Window(1000, 700), Window(1000, 500)], 10));
    }

    [Fact]
    public void IsStable_OnlyLastThreeCount()
    {
        Assert.True(StabilityCheck.IsStable([Window(10, 9000), Window(1000, 500), Window(1000, 500), Window(1000, 500)], 10));
    }

    [Fact]
    public void IsStable_WindowWithNoCompletions_False()
    {
        Assert.False(StabilityCheck.IsStable([Window(0, 0), Window(0, 0), Window(0, 0)], 10));
    }

    [Fact]
    public void WithinPercent_WiderTolerance_Accepts()
    {
        Assert.False(StabilityCheck.WithinPercent([100, 130], 10));
        Assert.True(StabilityCheck.WithinPercent([100, 130], 15));
    }
}
