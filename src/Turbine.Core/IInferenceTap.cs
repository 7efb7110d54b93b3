namespace Turbine.Core;

/// <summary>
/// Observes answered inference requests on the request path (the monitoring tap). For every request the engine
/// answered, it first asks <see cref="Sample"/> — nothing is copied for a request that is not sampled — and for a
/// sampled one calls <see cref="Observe"/> while the request's and the response's buffers are still alive, before the
/// response goes back to the front end. Both run on the request path: they must be quick, never wait and never throw.
/// </summary>
public interface IInferenceTap
{
    /// <summary>Whether this request of <paramref name="model"/> (the served model's name) is to be observed: a lookup and at most one random draw.</summary>
    /// <param name="model">The served model's name.</param>
    /// <param name="request">The request (its protocol, id, inputs), not to be kept.</param>
    bool Sample(string model, InferenceRequest request);

    /// <summary>Copies what the tap needs from a sampled request and its response and hands it on without waiting.</summary>
    /// <param name="model">The served model's name.</param>
    /// <param name="version">The version that answered.</param>
    /// <param name="request">The request; its buffers are valid only during the call.</param>
    /// <param name="response">The response; its buffers are valid only during the call.</param>
    void Observe(string model, long version, InferenceRequest request, InferenceResponse response);
}
