namespace Turbine.Core;

/// <summary>An expected failure: a status class and a message that names what was wrong.</summary>
public sealed record InferenceError(StatusCode Code, string Message)
{
    public static InferenceError InvalidArgument(string message) => new(StatusCode.InvalidArgument, message);

    public static InferenceError NotFound(string message) => new(StatusCode.NotFound, message);

    public static InferenceError Unavailable(string message) => new(StatusCode.Unavailable, message);

    public static InferenceError Unsupported(string message) => new(StatusCode.Unsupported, message);

    public static InferenceError Internal(string message) => new(StatusCode.Internal, message);

    public override string ToString() => $"{Code}: {Message}";
}
