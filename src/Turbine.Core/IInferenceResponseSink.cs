namespace Turbine.Core;

/// <summary>
/// Receives the responses of one request run with <see cref="InferenceEngine.InferStreamAsync"/>: one for an ordinary
/// model, zero, one or many for a decoupled model. Called from the model's threads, one call at a time.
/// </summary>
public interface IInferenceResponseSink
{
    /// <summary>
    /// One response (owned by the sink from now on; dispose it once written), or null with <paramref name="final"/>
    /// true when the model ends the request without a response (Triton's flag-only final).
    /// </summary>
    /// <param name="response">The response, or null for a flag-only final.</param>
    /// <param name="final">True when it is the request's last.</param>
    void OnResponse(InferenceResponse? response, bool final);
}
