using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Turbine.Control.Runtime;

/// <summary>
/// <c>turbine.cold_start.seconds</c> (Prometheus <c>turbine_cold_start_seconds</c>) on the <c>Turbine.Control</c>
/// meter: one observation per phase (<c>phase</c> = fetch | load | warmup | total) when a replica first turns ready,
/// labelled with its <c>deployment</c>. Phases the server did not report are not observed. Tags are bounded: the four
/// phase names times the deployments (at most the reconciler's MaxDeployments at once; the exporter keeps at most 1024
/// series, so deployments deleted and created again and again cannot grow it without bound).
/// </summary>
internal sealed class ColdStartMetrics : IDisposable
{
    public const string InstrumentName = "turbine.cold_start.seconds";

    private const int MaxRecentPerDeployment = 20;
    private const int MaxRecentDeployments = 256;
    private readonly Meter? _owned;
    private readonly Dictionary<string, List<(DateTimeOffset At, ReplicaColdStart ColdStart)>> _recent = new(StringComparer.Ordinal);
    private readonly Histogram<double> _histogram;

    /// <summary>On a meter from <paramref name="meterFactory"/> (which owns it), or on a meter of its own when null.</summary>
    public ColdStartMetrics(IMeterFactory? meterFactory)
    {
#pragma warning disable CA2000 // the factory owns the meters it creates; a meter of our own is disposed with this object
        var meter = meterFactory?.Create(Autoscaling.AutoscalerMetrics.MeterName) ?? (_owned = new Meter(Autoscaling.AutoscalerMetrics.MeterName));
#pragma warning restore CA2000
        _histogram = meter.CreateHistogram<double>(InstrumentName, "s",
            "How long a replica took from its start to ready, by phase (fetch, load, warmup, total).");
    }

    public void Record(string deployment, ReplicaColdStart coldStart, DateTimeOffset at = default)
    {
        ArgumentNullException.ThrowIfNull(coldStart);
        lock (_recent)
        {
            if (!_recent.TryGetValue(deployment, out var list))
            {
                if (_recent.Count >= MaxRecentDeployments)
                {
                    _recent.Remove(_recent.Keys.First());
                }

                _recent[deployment] = list = [];
            }

            list.Add((at, coldStart));
            if (list.Count > MaxRecentPerDeployment)
            {
                list.RemoveAt(0);
            }
        }

        Observe(deployment, "total", coldStart.Total);
        Observe(deployment, "fetch", coldStart.Fetch);
        Observe(deployment, "load", coldStart.Load);
        Observe(deployment, "warmup", coldStart.Warmup);
    }

    /// <summary>The newest cold starts of <paramref name="deployment"/> (at most 20, oldest first), for the dashboard.</summary>
    public IReadOnlyList<(DateTimeOffset At, ReplicaColdStart ColdStart)> Recent(string deployment)
    {
        lock (_recent)
        {
            return _recent.TryGetValue(deployment, out var list) ? [.. list] : [];
        }
    }

    public void Dispose() => _owned?.Dispose();

    private void Observe(string deployment, string phase, TimeSpan? value)
    {
        if (value is { } v)
        {
            _histogram.Record(Math.Max(0, v.TotalSeconds), new TagList { { "deployment", deployment }, { "phase", phase } });
        }
    }
}
