using Turbine.Control.Autoscaling;

namespace Turbine.Control.Tests.Autoscaling;

public sealed class MetricWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Stable = TimeSpan.FromSeconds(60);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static MetricWindow Fill(MetricWindow window, int fromSecond, int toSecond, double value)
    {
        for (var s = fromSecond; s <= toSecond; s += 2)
        {
            window = window.Record(At(s), value);
        }

        return window;
    }

    [Fact]
    public void Average_FullWindow_IsTheMeanOfTheBuckets()
    {
        var window = new MetricWindow(Tick, 30);
        window = Fill(window, 0, 28, 10);   // 15 buckets of 10
        window = Fill(window, 30, 58, 30);  // 15 buckets of 30

        Assert.Equal(20, window.Average(At(58), Stable), 9);
        Assert.Equal(30, window.Average(At(58), TimeSpan.FromSeconds(6)), 9);
    }

    [Fact]
    public void Average_PartiallyFilledWindow_DividesByTheBucketsObserved()
    {
        var window = new MetricWindow(Tick, 30);
        window = window.Record(At(0), 6).Record(At(2), 12).Record(At(4), 24);

        // Three buckets seen of thirty: the mean of three, not the sum over thirty.
        Assert.Equal(14, window.Average(At(4), Stable), 9);
    }

    [Fact]
    public void Average_BucketsWithoutSamples_CountAsZero()
    {
        var window = new MetricWindow(Tick, 30);
        window = window.Record(At(0), 30).Record(At(4), 60); // nothing at 2 s

        Assert.Equal(30, window.Average(At(4), Stable), 9);       // (30 + 0 + 60) / 3
        Assert.Equal(22.5, window.Average(At(6), Stable), 9);     // a quiet tick later: 90 / 4
    }

    [Fact]
    public void Average_SamplesInOneBucket_AreAveraged()
    {
        var window = new MetricWindow(Tick, 30);
        window = window.Record(At(0), 10).Record(At(0.5), 20).Record(At(1.9), 30);

        Assert.Equal(20, window.Average(At(1), Stable), 9);
    }

    [Fact]
    public void Average_SamplesSlideOutOfTheWindow()
    {
        var window = new MetricWindow(Tick, 30);
        window = Fill(window, 0, 58, 10);
        window = Fill(window, 60, 118, 0);

        Assert.Equal(0, window.Average(At(118), Stable));
        // At 100 s the window is 42..100: all zero; at 60 s it holds 2..60: twenty-nine tens and one zero.
        Assert.Equal(29 * 10 / 30.0, Fill(new MetricWindow(Tick, 30), 0, 58, 10).Record(At(60), 0).Average(At(60), Stable), 9);
    }

    [Fact]
    public void Average_NoSampleForAWholeWindow_IsZero()
    {
        var window = new MetricWindow(Tick, 30).Record(At(0), 100);

        Assert.Equal(100, window.Average(At(0), Stable));
        Assert.Equal(100 / 30.0, window.Average(At(58), Stable), 9); // still inside: one bucket of thirty
        Assert.Equal(0, window.Average(At(60), Stable));
        Assert.Equal(0, new MetricWindow(Tick, 30).Average(At(0), Stable));
    }

    [Fact]
    public void Average_PanicWindow_ReadsOnlyTheLastBuckets()
    {
        var window = Fill(new MetricWindow(Tick, 30), 0, 52, 0);
        window = window.Record(At(54), 30).Record(At(56), 60).Record(At(58), 90);

        Assert.Equal(60, window.Average(At(58), TimeSpan.FromSeconds(6)), 9);
        Assert.Equal(180 / 30.0, window.Average(At(58), Stable), 9);
    }

    [Fact]
    public void Record_AMillionSamples_KeepsTheBucketCountFixed()
    {
        var window = new MetricWindow(Tick, 30);
        for (var i = 0; i < 1_000_000; i++)
        {
            window = window.Record(T0.AddMilliseconds(i * 500L), i % 2 == 0 ? 4 : 8);
        }

        Assert.Equal(30, window.Capacity);
        // Every bucket holds four samples alternating 4 and 8: mean 6.
        Assert.Equal(6, window.Average(T0.AddMilliseconds(999_999 * 500L), Stable), 9);
    }

    [Fact]
    public void Record_ReturnsANewWindow_AndLeavesTheOriginalUnchanged()
    {
        var empty = new MetricWindow(Tick, 30);
        var one = empty.Record(At(0), 5);

        Assert.True(empty.IsEmpty);
        Assert.Equal(0, empty.Average(At(0), Stable));
        Assert.False(one.IsEmpty);
        Assert.Equal(5, one.Average(At(0), Stable));
    }

    [Fact]
    public void Record_SampleOlderThanTheRing_IsDropped()
    {
        var window = new MetricWindow(Tick, 30).Record(At(100), 10);

        var same = window.Record(At(10), 1000);

        Assert.Same(window, same);
        Assert.Equal(10, same.Average(At(100), Stable));
    }

    [Fact]
    public void For_Settings_HasOneBucketPerTickOfTheStableWindow()
    {
        var window = MetricWindow.For(new AutoscalerSettings { StableWindow = TimeSpan.FromSeconds(61), TickInterval = Tick });

        Assert.Equal(31, window.Capacity);
        Assert.Equal(Tick, window.Granularity);
    }
}
