using Turbine.Protocol.Telemetry;

namespace Turbine.Protocol.Tests.Telemetry;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Histogram_WithLabels_ExactExposition()
    {
        var h = new Histogram(0.001, 0.0025, 1);
        h.Observe(0.002);
        h.Observe(0.5);
        h.Observe(3);
        var w = new PrometheusText();

        w.Family("x_seconds", "histogram", "Latency");
        w.Histogram("x_seconds", h.Snapshot(), "model", "m\"1", "route", "/a\\b\nc");

        Assert.Equal(
            "# HELP x_seconds Latency\n" +
            "# TYPE x_seconds histogram\n" +
            "x_seconds_bucket{model=\"m\\\"1\",route=\"/a\\\\b\\nc\",le=\"0.001\"} 0\n" +
            "x_seconds_bucket{model=\"m\\\"1\",route=\"/a\\\\b\\nc\",le=\"0.0025\"} 1\n" +
            "x_seconds_bucket{model=\"m\\\"1\",route=\"/a\\\\b\\nc\",le=\"1\"} 2\n" +
            "x_seconds_bucket{model=\"m\\\"1\",route=\"/a\\\\b\\nc\",le=\"+Inf\"} 3\n" +
            "x_seconds_sum{model=\"m\\\"1\",route=\"/a\\\\b\\nc\"} 3.502\n" +
            "x_seconds_count{model=\"m\\\"1\",route=\"/a\\\\b\\nc\"} 3\n",
            w.ToString());
    }

    [Fact]
    public void Histogram_NoLabels_OnlyLe()
    {
        var h = new Histogram(10);
        h.Observe(1);
        var w = new PrometheusText();

        w.Histogram("b", h.Snapshot());

        Assert.Equal("b_bucket{le=\"10\"} 1\nb_bucket{le=\"+Inf\"} 1\nb_sum 1\nb_count 1\n", w.ToString());
    }

    [Fact]
    public void Histogram_SameTextAsOneSamplePerBucket()
    {
        // What the server, gateway and registry wrote by hand before the writer had a histogram method.
        double[] bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
        var h = new Histogram(bounds);
        foreach (var v in new[] { 0.00003, 0.0004, 0.0004, 0.07, 4.2, 11 })
        {
            h.Observe(v);
        }

        var s = h.Snapshot();
        var byHand = new PrometheusText();
        for (var i = 0; i < s.Cumulative.Length; i++)
        {
            var le = i < bounds.Length ? PrometheusText.Format(bounds[i]) : "+Inf";
            byHand.Sample("d_bucket", s.Cumulative[i], "model", "simple", "version", "1", "le", le);
        }

        byHand.Sample("d_sum", s.Sum, "model", "simple", "version", "1");
        byHand.Sample("d_count", s.Cumulative[^1], "model", "simple", "version", "1");
        var written = new PrometheusText();

        written.Histogram("d", s, "model", "simple", "version", "1");

        Assert.Equal(byHand.ToString(), written.ToString());
    }

    [Fact]
    public void Format_BoundsInSeconds_SameAsFormerMillisecondBoundsDividedBy1000()
    {
        // The gateway and registry kept bounds in ms and wrote le = ms / 1000; the bounds are now seconds literals.
        double[] ms = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
        double[] seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

        Assert.Equal(ms.Select(b => PrometheusText.Format(b / 1000)), seconds.Select(PrometheusText.Format));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    [InlineData(3, "3")]
    public void Format_Values(double value, string expected) => Assert.Equal(expected, PrometheusText.Format(value));
}
