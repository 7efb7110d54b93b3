namespace Turbine.Core;

/// <summary>One finished inference request, as <see cref="IRequestObserver"/> is told about it.</summary>
/// <param name="Model">
/// The model as named when the engine knows it, else <see cref="InferenceEngine.UnknownModelLabel"/>: request names
/// cannot create metric series.
/// </param>
/// <param name="Version">
/// The version that answered, or the one asked for; -1 when none was named, or the model never had the version named.
/// </param>
/// <param name="Protocol">The front end that received it (<see cref="InferenceRequest.Protocol"/>).</param>
/// <param name="Outcome"><see cref="StatusCode.Ok"/>, or the error's status.</param>
/// <param name="Duration">From when the front end received it until it ended.</param>
public readonly record struct RequestCompletion(string Model, long Version, string Protocol, StatusCode Outcome, TimeSpan Duration);
