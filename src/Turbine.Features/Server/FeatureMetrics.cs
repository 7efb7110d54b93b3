using System.Diagnostics.Metrics;

namespace Turbine.Features.Server;

/// <summary>Feature store instruments: lookups, their duration, entity rows, and online-store failures (a 503 each).</summary>
public sealed class FeatureMetrics : IDisposable
{
    public const string MeterName = "Turbine.Features";

    private readonly Meter _meter;

    public FeatureMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Lookups = _meter.CreateCounter<long>("turbine.features.lookups", description: "Online feature lookups served.");
        Duration = _meter.CreateHistogram<double>("turbine.features.lookup.duration", unit: "s", description: "Online feature lookup duration.");
        StoreUnavailable = _meter.CreateCounter<long>("turbine.features.store_unavailable", description: "Lookups failed because the online store was unreachable (503).");
        BadRequests = _meter.CreateCounter<long>("turbine.features.bad_requests", description: "Requests refused as invalid (400).");
    }

    public Counter<long> Lookups { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> StoreUnavailable { get; }

    public Counter<long> BadRequests { get; }

    private long _unavailable;

    /// <summary>Online store failures counted since start (also exported as <c>turbine.features.store_unavailable</c>).</summary>
    public long StoreUnavailableTotal => Interlocked.Read(ref _unavailable);

    public void CountUnavailable()
    {
        Interlocked.Increment(ref _unavailable);
        StoreUnavailable.Add(1);
    }

    public void Dispose() => _meter.Dispose();
}
