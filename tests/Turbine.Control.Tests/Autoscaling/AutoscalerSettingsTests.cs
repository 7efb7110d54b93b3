using Turbine.Control.Autoscaling;

namespace Turbine.Control.Tests.Autoscaling;

public sealed class AutoscalerSettingsTests
{
    [Fact]
    public void FromSpec_ScaleTarget_IsThePerReplicaTarget()
    {
        var settings = AutoscalerSettings.FromSpec(scaleTarget: 5, scaleMetric: null, containerConcurrency: 10, minReplicas: 1, maxReplicas: 3);

        Assert.Equal(5, settings.Target);
        Assert.Equal(1, settings.MinReplicas);
        Assert.Equal(3, settings.MaxReplicas);
    }

    [Theory]
    [InlineData(10, 7.0)]
    [InlineData(4, 2.8)]
    [InlineData(0, 70.0)]
    public void FromSpec_NoScaleTarget_Is70PercentOfContainerConcurrencyOr100(int containerConcurrency, double expected)
    {
        var settings = AutoscalerSettings.FromSpec(null, null, containerConcurrency, 0, 0);

        Assert.Equal(expected, settings.Target, 9);
    }

    [Fact]
    public void FromSpec_Defaults_AreKnatives()
    {
        var settings = AutoscalerSettings.FromSpec(null, null, 0, 1, 0);

        Assert.Equal(AutoscalerMetric.Concurrency, settings.Metric);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.TickInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.StableWindow);
        Assert.Equal(TimeSpan.FromSeconds(6), settings.PanicWindow);
        Assert.Equal(2.0, settings.PanicThreshold);
        Assert.Equal(1000, settings.MaxScaleUpRate);
        Assert.Equal(2, settings.MaxScaleDownRate);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ScaleToZeroGracePeriod);
        Assert.Equal(int.MaxValue, settings.UpperBound); // maxReplicas 0 = no bound
        Assert.Empty(settings.Validate());
    }

    [Theory]
    [InlineData(null, nameof(AutoscalerMetric.Concurrency))]
    [InlineData("", nameof(AutoscalerMetric.Concurrency))]
    [InlineData("concurrency", nameof(AutoscalerMetric.Concurrency))]
    [InlineData("rps", nameof(AutoscalerMetric.Rps))]
    [InlineData("CPU", nameof(AutoscalerMetric.Cpu))]
    [InlineData(" Memory ", nameof(AutoscalerMetric.Memory))]
    public void FromSpec_ScaleMetric_IsParsedCaseInsensitively(string? name, string expected) =>
        Assert.Equal(Enum.Parse<AutoscalerMetric>(expected), AutoscalerSettings.FromSpec(null, name, 0, 1, 1).Metric);

    [Fact]
    public void FromSpec_UnknownMetric_ThrowsNamingTheValue()
    {
        var error = Assert.Throws<ArgumentException>(() => AutoscalerSettings.FromSpec(null, "latency", 0, 1, 1));

        Assert.Contains("'latency'", error.Message, StringComparison.Ordinal);
        Assert.Contains("rps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UpperBound_MaxReplicasSet_IsMaxReplicas() =>
        Assert.Equal(7, AutoscalerSettings.FromSpec(null, null, 0, 1, 7).UpperBound);

    [Fact]
    public void Validate_SeveralProblems_ListsEveryOne()
    {
        var settings = new AutoscalerSettings
        {
            Target = 0,
            MinReplicas = 5,
            MaxReplicas = 2,
            PanicWindow = TimeSpan.FromSeconds(90),
            MaxScaleDownRate = 1,
            ScaleToZeroGracePeriod = TimeSpan.FromSeconds(-1),
        };

        var problems = settings.Validate();

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("target:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("minReplicas (5) must not exceed maxReplicas (2)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("panicWindow (00:01:30) must not exceed stableWindow", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("maxScaleDownRate:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("scaleToZeroGracePeriod:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NonPositiveWindowsAndTooManyBuckets_AreProblems()
    {
        Assert.Contains(new AutoscalerSettings { TickInterval = TimeSpan.Zero }.Validate(), p => p.StartsWith("tickInterval:", StringComparison.Ordinal));
        Assert.Contains(new AutoscalerSettings { PanicWindow = TimeSpan.Zero }.Validate(), p => p.StartsWith("panicWindow:", StringComparison.Ordinal));
        Assert.Contains(new AutoscalerSettings { StableWindow = TimeSpan.FromHours(2), PanicWindow = TimeSpan.FromSeconds(6) }.Validate(),
            p => p.StartsWith("stableWindow: must be at most", StringComparison.Ordinal));
        Assert.Contains(new AutoscalerSettings { TickInterval = TimeSpan.FromMilliseconds(1) }.Validate(),
            p => p.StartsWith("stableWindow / tickInterval", StringComparison.Ordinal));
        Assert.Contains(new AutoscalerSettings { PanicThreshold = 1.0 }.Validate(), p => p.StartsWith("panicThreshold:", StringComparison.Ordinal));
        Assert.Contains(new AutoscalerSettings { MaxReplicas = -1 }.Validate(), p => p.StartsWith("maxReplicas:", StringComparison.Ordinal));
    }

    [Fact]
    public void KpaAutoscaler_InvalidSettings_ThrowsWithEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new KpaAutoscaler(new AutoscalerSettings { Target = -1, MinReplicas = -1 }));

        Assert.Contains("target:", error.Message, StringComparison.Ordinal);
        Assert.Contains("minReplicas:", error.Message, StringComparison.Ordinal);
    }
}
