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

    /// <summary>Handed to the engine in process (no front end), or by a front end with another protocol name.</summary>
    InProcess,
}

/// <summary>
/// The server's request metrics (convention 12): the <c>turbine.request.duration</c> histogram (seconds) per model,
/// version, protocol and outcome, as a <see cref="System.Diagnostics.Metrics"/> instrument for in-process listeners
/// (dotnet-counters, OpenTelemetry) and aggregated here into fixed Prometheus buckets for <c>/metrics</c>. The engine
/// records each request once, when it ends (<see cref="IRequestObserver"/>), with labels it has already bounded.
/// Recording is one dictionary lookup and two interlocked adds; it never allocates after a series' first request.
/// </summary>
public sealed class ServerMetrics : IRequestObserver
{
    public const string MeterName = "Turbine.Server";

    /// <summary>Upper bounds (seconds) of the request-duration buckets: 100 µs to 10 s.</summary>
    public static readonly double[] DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// The <c>model</c> label of requests naming a model the server does not know (never in its repository), so
    /// unknown names cannot create series; their version label is empty.
    /// </summary>
    public const string UnknownModelLabel = InferenceEngine.UnknownModelLabel;

    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<SeriesKey, Histogram> _series = new();

    public ServerMetrics(IMeterFactory meterFactory)
    {
#pragma warning disable CA2000 // the IMeterFactory owns the meters it creates and disposes them with the container
        var meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        _duration = meter.CreateHistogram<double>("turbine.request.duration", "s",
            "Inference request duration in the front end, per model, version, protocol and outcome.");
    }

    /// <inheritdoc/>
    public void RequestCompleted(in RequestCompletion completion) =>
        RecordRequest(completion.Model, completion.Version, ParseProtocol(completion.Protocol), completion.Outcome, completion.Duration);

    /// <summary>
    /// Records one inference request that took <paramref name="elapsed"/>. <paramref name="model"/> and
    /// <paramref name="version"/> are the bounded labels (<see cref="RequestCompletion"/>): the version that answered, or
    /// the one asked for (-1 when none was named, or unknown); <paramref name="outcome"/> is <see cref="StatusCode.Ok"/> on success.
    /// </summary>
    public void RecordRequest(string model, long version, RequestProtocol protocol, StatusCode outcome, TimeSpan elapsed)
    {
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

    /// <summary>Every request-duration series recorded so far.</summary>
    public IEnumerable<KeyValuePair<SeriesKey, Histogram>> Series => _series;

    public static string ProtocolLabel(RequestProtocol protocol) => protocol switch
    {
        RequestProtocol.Http => "http",
        RequestProtocol.Grpc => "grpc",
        _ => InferenceRequest.InProcessProtocol,
    };

    /// <summary>The protocol a front end named on the request; any other name counts as in process, so names cannot create series.</summary>
    public static RequestProtocol ParseProtocol(string protocol) => protocol switch
    {
        "http" => RequestProtocol.Http,
        "grpc" => RequestProtocol.Grpc,
        _ => RequestProtocol.InProcess,
    };

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
