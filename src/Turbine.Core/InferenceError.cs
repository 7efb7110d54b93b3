namespace Turbine.Core;

/// <summary>An expected failure: a status class and a message that names what was wrong.</summary>
public sealed record InferenceError(StatusCode Code, string Message)
{
    public static InferenceError InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);

    public static InferenceError NotFound(string message) => new(StatusCode.NotFound, message);

    public static InferenceError Unavailable(string message) => new(StatusCode.Unavailable, message);

    public static InferenceError Unsupported(string message) => new(StatusCode.Unsupported, message);

    public static InferenceError Internal(string message) => new(StatusCode.Internal, message);

    /// <summary>
    /// A model name the server does not know: Triton's INVALID_ARG (HTTP 400, gRPC INVALID_ARGUMENT) with its text,
    /// which Triton's clients and examples match on (<c>model_repository_manager.cc</c>, FindModelIdentifier).
    /// </summary>
    public static InferenceError UnknownModel(string model) =>
        new(StatusCode.InvalidArgument, $"Request for unknown model: '{model}' is not found");

    /// <summary>A version a known model never had: Triton's NOT_FOUND (HTTP 404) with its text (ModelLifeCycle::GetModel).</summary>
    public static InferenceError UnknownVersion(string model, long version) =>
        new(StatusCode.NotFound, $"Request for unknown model: '{model}' version {version} is not found");

    public override string ToString() => $"{Code}: {Message}";
}
