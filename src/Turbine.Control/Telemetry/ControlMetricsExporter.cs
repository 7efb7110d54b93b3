using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Turbine.Control.Autoscaling;
using Turbine.Protocol.Telemetry;

namespace Turbine.Control.Telemetry;

/// <summary>
/// The control plane's Prometheus text (<c>GET /metrics</c> on the control service): every instrument of the
/// <c>Turbine.Control</c> meter — the autoscaler's gauges per deployment and the cold-start histogram per phase — read
/// with a <see cref="MeterListener"/>. Gauges are observed at scrape time; histograms aggregate into fixed buckets.
/// Labels are bounded: deployments (at most the reconciler's MaxDeployments, removed on delete) and the four phases.
/// </summary>
public sealed class ControlMetricsExporter : IDisposable
{
    /// <summary>Upper bounds (seconds) of the cold-start buckets: 50 ms to 5 min.</summary>
    public static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

    /// <summary>Most distinct label sets kept per histogram; more are dropped (they cannot come from the controller's bounded tags).</summary>
    private const int MaxSeries = 1024;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Tags), Histogram> _histograms = new();
    private readonly ConcurrentDictionary<string, (string Unit, string Help)> _descriptions = new(StringComparer.Ordinal);
    private readonly Lock _scrape = new();
    private Dictionary<(string Instrument, string Tags), double>? _gauges;

    public ControlMetricsExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AutoscalerMetrics.MeterName)
            {
                _descriptions[instrument.Name] = (instrument.Unit ?? string.Empty, instrument.Description ?? instrument.Name);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>((i, v, t, s) => OnMeasurement(i, v, t, s));
        _listener.SetMeasurementEventCallback<int>((i, v, t, s) => OnMeasurement(i, v, t, s));
        _listener.Start();
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var key = (instrument.Name, Tags(tags));
        if (instrument.IsObservable)
        {
            // Only during a scrape (RecordObservableInstruments runs under the scrape lock).
            _gauges?.TryAdd(key, value);
            return;
        }

        if (_histograms.TryGetValue(key, out var histogram) || (_histograms.Count < MaxSeries && (histogram = _histograms.GetOrAdd(key, _ => new Histogram(SecondsBuckets))) is not null))
        {
            histogram!.Observe(value);
        }
    }

    private static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>(tags.Length * 2);
        foreach (var tag in tags)
        {
            parts.Add(tag.Key);
            parts.Add(Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }

        return string.Join('\u0001', parts);
    }

    /// <summary>Prometheus text of every instrument now.</summary>
    public string Render()
    {
        Dictionary<(string Instrument, string Tags), double> gauges;
        lock (_scrape)
        {
            _gauges = [];
            _listener.RecordObservableInstruments();
            gauges = _gauges;
            _gauges = null;
        }

        var w = new PrometheusText();
        foreach (var group in gauges.GroupBy(g => g.Key.Instrument).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var name = PrometheusName(group.Key, null);
            w.Family(name, "gauge", _descriptions.GetValueOrDefault(group.Key).Help ?? group.Key);
            foreach (var ((_, tags), value) in group.OrderBy(g => g.Key.Tags, StringComparer.Ordinal))
            {
                w.Sample(name, value, Labels(tags));
            }
        }

        foreach (var group in _histograms.GroupBy(h => h.Key.Instrument).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (unit, help) = _descriptions.GetValueOrDefault(group.Key);
            var name = PrometheusName(group.Key, unit);
            w.Family(name, "histogram", help ?? group.Key);
            foreach (var ((_, tags), histogram) in group.OrderBy(g => g.Key.Tags, StringComparer.Ordinal))
            {
                w.Histogram(name, histogram.Snapshot(), Labels(tags));
            }
        }

        return w.ToString();
    }

    /// <summary><c>turbine.cold_start.seconds</c> → <c>turbine_cold_start_seconds</c>; a unit of <c>s</c> not already in the name is appended.</summary>
    internal static string PrometheusName(string instrument, string? unit)
    {
        var name = instrument.Replace('.', '_');
        return unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal) ? name + "_seconds" : name;
    }

    private static string[] Labels(string tags) => tags.Length == 0 ? [] : tags.Split('\u0001');

    public void Dispose() => _listener.Dispose();
}
