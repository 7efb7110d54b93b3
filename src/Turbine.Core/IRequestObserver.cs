namespace Turbine.Core;

/// <summary>
/// Told once about every inference request when it ends (the host's request metrics: the server's
/// <c>turbine_request_duration_seconds</c>). The engine calls it: for a request it answered, when the response is
/// released (so writing the response counts); for one it refused, when <see cref="InferenceEngine.InferAsync"/> returns;
/// for one a front end refused before handing it over, from <see cref="InferenceEngine.RecordRefused"/>. Called on the
/// request path: it must be quick and must not throw.
/// </summary>
public interface IRequestObserver
{
    /// <summary>Records one finished request.</summary>
    void RequestCompleted(in RequestCompletion completion);
}
