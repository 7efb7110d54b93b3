using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Control.Autoscaling;

namespace Turbine.Control.Tests.Autoscaling;

public sealed class AutoscalerMetricsTests
{
    /// <summary>The gauges of <paramref name="factory"/>'s meter as (instrument, deployment) → value.</summary>
    private static Dictionary<(string, string), double> Collect(IMeterFactory factory)
    {
        var values = new Dictionary<(string, string), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AutoscalerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "deployment")
                {
                    values[(instrument.Name, (string)tag.Value!)] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    [Fact]
    public void Record_EveryGauge_ReportsTheLatestDecisionPerDeployment()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new AutoscalerMetrics(factory);

        metrics.Record("resnet", 2, new AutoscalerDecision(4, 35.5, 80, true, false, "panic"));
        metrics.Record("bert", 3, new AutoscalerDecision(3, 20, 21, false, false, "stable"));
        metrics.Record("resnet", 4, new AutoscalerDecision(5, 36, 90, true, false, "panic"));

        var values = Collect(factory);

        Assert.Equal(5, values[("turbine.autoscaler.desired_replicas", "resnet")]);
        Assert.Equal(4, values[("turbine.autoscaler.ready_replicas", "resnet")]);
        Assert.Equal(36, values[("turbine.autoscaler.stable_value", "resnet")]);
        Assert.Equal(90, values[("turbine.autoscaler.panic_value", "resnet")]);
        Assert.Equal(1, values[("turbine.autoscaler.panic_mode", "resnet")]);
        Assert.Equal(0, values[("turbine.autoscaler.panic_mode", "bert")]);
        Assert.Equal(3, values[("turbine.autoscaler.desired_replicas", "bert")]);
        Assert.Equal(10, values.Count);
    }

    [Fact]
    public void Remove_DeletedDeployment_HasNoSeries()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new AutoscalerMetrics(factory);
        metrics.Record("resnet", 1, new AutoscalerDecision(1, 1, 1, false, false, ""));
        metrics.Record("bert", 1, new AutoscalerDecision(1, 1, 1, false, false, ""));

        Assert.True(metrics.Remove("resnet"));
        Assert.False(metrics.Remove("resnet"));

        var values = Collect(factory);
        Assert.Equal(["bert"], metrics.Deployments);
        Assert.DoesNotContain(values.Keys, k => k.Item2 == "resnet");
        Assert.Equal(5, values.Count);
    }
}
