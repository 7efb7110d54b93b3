using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Turbine.Core;
using Turbine.Protocol.Telemetry;

namespace Turbine.Server.Telemetry;

/// <summary>Which front end answered a request (the <c>protocol</c> label).</summary>
public enum RequestProtocol
{
    Http,
    Grpc,
}

/// <summary>
/// The front ends' metrics (convention 12): the <c>turbine.request.duration</c> histogram (seconds) per model,
/// version, protocol and outcome, as a <see cref="System.Diagnostics.Metrics"/> instrument for in-process listeners
/// (dotnet-counters, OpenTelemetry) and aggregated here into fixed Prometheus buckets for <c>/metrics</c>.
/// Recording is one dictionary lookup and two interlocked adds; it never allocates after a series' first request.
/// </summary>
public sealed class ServerMetrics
{
    public const string MeterName = "Turbine.Server";

    /// <summary>Upper bounds (seconds) of the request-duration buckets: 100 µs to 10 s.</summary>
    public static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// The <c>model</c> label of requests naming a model the server does not know (never in its repository), so
    /// unknown names cannot create series; their version label is empty.
    /// </summary>
    public const string UnknownModelLabel = "_unknown";

    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<SeriesKey, Histogram> _series = new();
    private readonly InferenceEngine _engine;

    public ServerMetrics(IMeterFactory meterFactory, InferenceEngine engine)
    {
        _engine = engine;
#pragma warning disable CA2000 // the IMeterFactory owns the meters it creates and disposes them with the container
        var meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        _duration = meter.CreateHistogram<double>("turbine.request.duration", "s",
            "Inference request duration in the front end, per model, version, protocol and outcome.");
    }

    /// <summary>
    /// Records one inference request that began at <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks).
    /// <paramref name="version"/> is the version that answered, or the one asked for (-1 when none was named and the
    /// request failed before one was chosen); <paramref name="outcome"/> is <see cref="StatusCode.Ok"/> on success.
    /// </summary>
    public void RecordRequest(string model, long version, RequestProtocol protocol, StatusCode outcome, long startTimestamp)
    {
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        (model, version) = BoundLabels(model, version, outcome);
        var series = _series.GetOrAdd(new SeriesKey(model, version, protocol, outcome), static _ => new Histogram(DurationBuckets));
        series.Observe(elapsed.TotalSeconds);
        if (_duration.Enabled)
        {
            var tags = new TagList
            {
                { "model", model },
                { "version", version },
                { "protocol", ProtocolLabel(protocol) },
                { "outcome", OutcomeLabel(outcome) },
            };
            _duration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>
    /// The labels a request is counted under: the model and version as named when the server knows them, else
    /// <see cref="UnknownModelLabel"/> (unknown model) or version -1 (empty; a version the model never had), so the
    /// series are bounded by the repository's models and versions whatever names requests carry. A successful request
    /// was answered by a loaded version, so it needs no check.
    /// </summary>
    private (string Model, long Version) BoundLabels(string model, long version, StatusCode outcome)
    {
        if (outcome == StatusCode.Ok)
        {
            return (model, version);
        }

        if (!_engine.Models.IsKnown(model))
        {
            return (UnknownModelLabel, -1);
        }

        return version > 0 && _engine.Models.GetStatus(model, version) is null ? (model, -1) : (model, version);
    }

    /// <summary>Every request-duration series recorded so far.</summary>
    public IEnumerable<KeyValuePair<SeriesKey, Histogram>> Series => _series;

    public static string ProtocolLabel(RequestProtocol protocol) => protocol == RequestProtocol.Http ? "http" : "grpc";

    /// <summary><c>success</c>, or the error's status class in snake case (<c>invalid_argument</c>, <c>not_found</c>, ...).</summary>
    public static string OutcomeLabel(StatusCode code) => code switch
    {
        StatusCode.Ok => "success",
        StatusCode.InvalidArgument => "invalid_argument",
        StatusCode.NotFound => "not_found",
        StatusCode.Unavailable => "unavailable",
        StatusCode.Unsupported => "unsupported",
        StatusCode.Internal => "internal",
        StatusCode.ResourceExhausted => "resource_exhausted",
        StatusCode.DeadlineExceeded => "deadline_exceeded",
        StatusCode.Cancelled => "cancelled",
        StatusCode.AlreadyExists => "already_exists",
        _ => "unknown",
    };

    public readonly record struct SeriesKey(string Model, long Version, RequestProtocol Protocol, StatusCode Outcome);
}
