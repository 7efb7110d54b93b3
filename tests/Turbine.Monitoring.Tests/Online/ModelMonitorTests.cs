using Microsoft.Extensions.Time.Testing;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Tests.Online;

public sealed class ModelMonitorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<WindowReport> RunWindowAsync(int referenceRows, double shift, int seed)
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, referenceRows));
        await using var service = new MonitoringService();
        var monitor = service.Configure("m", new MonitorSettings { Profile = profile, WindowRows = 1000 });
        foreach (var o in StreamData.Observations(StreamData.Table(seed, 1000, shift), "m", 3, T0, 10))
        {
            Assert.True(service.TryObserve(o));
        }

        await service.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, monitor.ObservedRows);
        return Assert.Single(monitor.Windows(3), w => w.End is not null);
    }

    [Theory]
    [InlineData(5000, "wasserstein", "jensenshannon")]
    [InlineData(800, "ks", "chisquare")]
    public async Task SeededStream_SameDistribution_NoDrift_Shifted_Drift(int referenceRows, string numericTest, string categoricalTest)
    {
        var same = await RunWindowAsync(referenceRows, 0, seed: 2);
        Assert.NotNull(same.Drift);
        Assert.Equal(numericTest, same.Drift!.Features.Single(f => f.Feature == "a").Test);
        Assert.Equal(categoricalTest, same.Drift.Features.Single(f => f.Feature == "color").Test);
        // Four tests at 5 % each on independent samples: one false alarm can happen; the dataset verdict must not.
        Assert.False(same.Drift.DatasetDrift, string.Join("; ", same.Drift.Features.Select(f => $"{f.Feature} {f.Test} {f.Score}")));
        Assert.True(same.Drift.Drifted <= 1, string.Join("; ", same.Drift.Features.Select(f => $"{f.Feature} {f.Test} {f.Score}")));

        var shifted = await RunWindowAsync(referenceRows, 0.5, seed: 2);
        Assert.True(shifted.Drift!.DatasetDrift);
        Assert.Equal(4, shifted.Drift.Drifted);
        Assert.Equal(1.0, shifted.Drift.Share);
        Assert.All(shifted.Drift.Features, f => Assert.Equal(DriftTestNames.DefaultThreshold(f.Test), f.Threshold));
    }

    [Fact]
    public void Feedback_JoinsByRequestId_LateLabelsUpdateTheirWindow_UnknownCounted()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 200));
        var time = new FakeTimeProvider(T0);
        var monitor = new ModelMonitor("m", new MonitorSettings { Profile = profile, WindowRows = 5 }, time);
        double[] scores = [0.9, 0.4, 0.35, 0.8, 0.1];
        for (var i = 0; i < 5; i++)
        {
            monitor.Observe(new Observation
            {
                RequestId = $"q{i}",
                Model = "m",
                Version = 1,
                Time = T0,
                Rows = 1,
                Numbers = new Dictionary<string, double[]> { ["a"] = [0.1], ["b"] = [10], ["c"] = [0.5] },
                Texts = new Dictionary<string, string?[]> { ["color"] = ["red"] },
                Predictions = [[scores[i]]],
            });
        }

        // The window closed at 5 rows; the labels arrive later and still land in it.
        var closed = Assert.Single(monitor.Windows(1));
        Assert.NotNull(closed.End);
        double[] labels = [1, 0, 1, 1, 0];
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(FeedbackResult.Joined, monitor.Feedback($"q{i}", [labels[i]]));
        }

        Assert.Equal(FeedbackResult.Duplicate, monitor.Feedback("q0", [1]));
        Assert.Equal(FeedbackResult.UnknownId, monitor.Feedback("nope", [1]));
        Assert.Equal(1, monitor.UnknownFeedback);

        var performance = monitor.Latest(1)!.Performance;
        Assert.Equal(5, performance["count"]);
        Assert.Equal(0.8, performance["accuracy"], 12);
        Assert.Equal(1.0, performance["precision"], 12);
        Assert.Equal(2.0 / 3, performance["recall"], 12);
        Assert.Equal(0.8, performance["f1"], 12);
        Assert.Equal(5.0 / 6, performance["roc_auc"], 12);
    }

    [Fact]
    public void Regression_MaeRmse()
    {
        var metrics = PerformanceMetrics.Compute(ModelTask.Regression, [([1.0], 2.0), ([3.0], 1.0), ([0.5], 0.5)]);
        Assert.Equal(1.0, metrics["mae"], 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), metrics["rmse"], 12);
    }

    [Fact]
    public void TimeWindow_ClosesAfterItsDuration_PerVersion()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 200));
        var time = new FakeTimeProvider(T0);
        var monitor = new ModelMonitor("m", new MonitorSettings { Profile = profile, WindowRows = 1000, WindowDuration = TimeSpan.FromMinutes(1) }, time);
        foreach (var o in StreamData.Observations(StreamData.Table(5, 30), "m", 1, T0, 10))
        {
            monitor.Observe(o);
        }

        foreach (var o in StreamData.Observations(StreamData.Table(6, 20), "m", 2, T0, 10))
        {
            monitor.Observe(o);
        }

        Assert.All(monitor.Windows(), w => Assert.Null(w.End));
        time.Advance(TimeSpan.FromSeconds(61));
        var windows = monitor.Windows();
        Assert.Equal(2, windows.Count);
        Assert.Equal([30L, 20L], windows.OrderBy(w => w.Version).Select(w => w.Rows));
        Assert.All(windows, w => Assert.Equal(T0.AddMinutes(1), w.End));
    }

    [Fact]
    public void Quality_CountsMissingNanOutOfRangeUnseenTypeShape_UnknownFeatureReportedOnce()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 200));
        var monitor = new ModelMonitor("m", new MonitorSettings { Profile = profile, WindowRows = 100 });
        for (var i = 0; i < 2; i++)
        {
            var fresh = monitor.Observe(new Observation
            {
                RequestId = $"x{i}",
                Model = "m",
                Version = 1,
                Time = T0,
                Rows = 4,
                Numbers = new Dictionary<string, double[]> { ["a"] = [double.NaN, double.PositiveInfinity, 1e9, 0], ["c"] = [0.5, 0.5, 0.5, 0.5], ["extra"] = [1, 2, 3, 4] },
                Texts = new Dictionary<string, string?[]> { ["color"] = ["red", "purple", null, "blue"], ["b"] = ["1", "x", "12", null] },
                Problems = ["input 'z': expected one element per row"],
            });
            Assert.Equal(i == 0 ? ["extra"] : [], fresh);
        }

        monitor.CloseOpenWindows();
        var quality = monitor.Latest()!.Quality;
        Assert.Equal(2, quality["a"][QualityIssues.OutOfRange]);
        Assert.Equal(4, quality["a"][QualityIssues.NonFinite]);
        Assert.Equal(2, quality["color"][QualityIssues.UnseenCategory]);
        Assert.Equal(2, quality["color"][QualityIssues.Missing]);
        Assert.Equal(2, quality["b"][QualityIssues.Type]);
        Assert.Equal(2, quality["b"][QualityIssues.Missing]);
        Assert.Equal(2, quality["*"][QualityIssues.Shape]);
        Assert.Equal(["extra"], monitor.UnknownFeatures);
    }

    [Fact]
    public async Task Tap_FullChannel_DropsAndCounts_NeverWaits()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 200));
        await using var service = new MonitoringService(2, null, null, startReader: false);
        service.Configure("m", new MonitorSettings { Profile = profile });
        var accepted = StreamData.Observations(StreamData.Table(3, 50), "m", 1, T0, 10).Count(service.TryObserve);
        Assert.Equal(2, accepted);
        Assert.Equal(3, service.DroppedCount);
        service.StartReader();
        await service.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(20, service.Find("m")!.ObservedRows);
        Assert.Contains("turbine_monitoring_dropped_total 3", MonitoringMetrics.Render(service), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ExposeDriftScoresQualityAndPerformance()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 5000));
        await using var service = new MonitoringService();
        var monitor = service.Configure("m", new MonitorSettings { Profile = profile, WindowRows = 500 });
        foreach (var o in StreamData.Observations(StreamData.Table(9, 500, 0.5), "m", 3, T0, 50))
        {
            monitor.Observe(o);
        }

        Assert.Equal(FeedbackResult.Joined, service.Feedback("m", "r-0", Enumerable.Repeat(1.0, 50).ToArray()));
        Assert.Equal(FeedbackResult.UnknownId, service.Feedback("other-model", "r-0", [1.0]));
        var text = MonitoringMetrics.Render(service);
        var window = monitor.Latest(3)!;
        var a = window.Drift!.Features.Single(f => f.Feature == "a");
        Assert.Contains($"turbine_drift_score{{model=\"m\",version=\"3\",feature=\"a\",test=\"wasserstein\"}} {a.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n", text, StringComparison.Ordinal);
        Assert.Contains("turbine_drift_detected{model=\"m\",version=\"3\",feature=\"__dataset__\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("turbine_model_performance{model=\"m\",version=\"3\",metric=\"count\"} 50\n", text, StringComparison.Ordinal);
        Assert.Contains("turbine_data_quality_issues{model=\"m\",version=\"3\",feature=\"a\",issue=\"out_of_range\"}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other-model", text, StringComparison.Ordinal);
    }
}
