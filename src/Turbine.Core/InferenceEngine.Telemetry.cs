using System.Diagnostics;

namespace Turbine.Core;

/// <summary>
/// The engine owns each request's telemetry: it starts the <c>turbine.infer</c> span when it receives the request
/// (under the caller's context, from when the front end received it), ends it once with the outcome, and tells the
/// <see cref="IRequestObserver"/> the request's duration once. Front ends only put the protocol, the parent context
/// and the receive time on the request, and echo the span's id.
/// </summary>
public sealed partial class InferenceEngine
{
    /// <summary>
    /// The model label of requests naming a model the engine does not know (never in its repository), so unknown
    /// names cannot create metric series; their version is -1.
    /// </summary>
    public const string UnknownModelLabel = "_unknown";

    /// <summary>
    /// Ends a request a front end refused before it could hand it over (a body it could not read or parse, a bad
    /// header, no budget left): it gets the same span (see <see cref="InferenceRequest.Activity"/>) and duration
    /// observation as a request the engine answered. <paramref name="request"/> needs only the model, the version asked
    /// for and the telemetry fields (<see cref="InferenceRequest.Protocol"/>, <see cref="InferenceRequest.TraceParent"/>,
    /// <see cref="InferenceRequest.ReceivedTimestamp"/>).
    /// </summary>
    public void RecordRefused(InferenceRequest request, InferenceError error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(error);
        StartRequest(request, Stopwatch.GetTimestamp(), out var received);
        CompleteFailed(request, received, error);
    }

    /// <summary>
    /// Starts the request's span (<see cref="InferenceRequest.Activity"/>) from <paramref name="received"/>: the front
    /// end's receive time, or <paramref name="now"/> when it gave none. Returns the span when its data is recorded.
    /// </summary>
    private static Activity? StartRequest(InferenceRequest request, long now, out long received)
    {
        received = request.ReceivedTimestamp != 0 ? request.ReceivedTimestamp : now;
        request.Activity = EngineTracing.StartInfer(request.ModelName, request.Protocol, request.TraceParent, received);
        var span = EngineTracing.Recorded(request.Activity);
        span?.SetTag(EngineTracing.RequestIdTag, request.Id);
        return span;
    }

    /// <summary>Ends a request the engine answered with an error (or that was cancelled): one observation, span stopped.</summary>
    private void CompleteFailed(InferenceRequest request, long received, InferenceError error) =>
        CompleteRequest(request.ModelName, request.ModelVersion, request.Protocol, received, request.Activity, error.Code, error.Message);

    /// <summary>
    /// Records the request's duration with bounded labels and stops its span. <paramref name="version"/> is the version
    /// that answered or the one asked for (null: none named).
    /// </summary>
    internal void CompleteRequest(string model, long? version, string protocol, long receivedTimestamp, Activity? span, StatusCode outcome, string? message)
    {
        if (_requestObserver is { } observer)
        {
            var elapsed = Stopwatch.GetElapsedTime(receivedTimestamp);
            var (labelModel, labelVersion) = BoundLabels(model, version ?? -1, outcome);
            observer.RequestCompleted(new RequestCompletion(labelModel, labelVersion, protocol, outcome, elapsed));
        }

        EngineTracing.StopInfer(span, version, outcome, message);
    }

    /// <summary>
    /// The labels a request is counted under: the model and version as named when the engine knows them, else
    /// <see cref="UnknownModelLabel"/> (unknown model) or version -1 (a version the model never had), so the series are
    /// bounded by the repository's models and versions whatever names requests carry. A successful request was
    /// answered by a loaded version, so it needs no check.
    /// </summary>
    private (string Model, long Version) BoundLabels(string model, long version, StatusCode outcome)
    {
        if (outcome == StatusCode.Ok)
        {
            return (model, version);
        }

        if (!_manager.IsKnown(model))
        {
            return (UnknownModelLabel, -1);
        }

        return version > 0 && _manager.GetStatus(model, version) is null ? (model, -1) : (model, version);
    }
}
