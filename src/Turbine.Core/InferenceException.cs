namespace Turbine.Core;

/// <summary>
/// Carries an <see cref="InferenceError"/> across layers that cannot return values (backend callbacks,
/// loaders). The request path converts it back to a value at the engine boundary.
/// </summary>
public sealed class InferenceException : Exception
{
    public InferenceException(InferenceError error)
        : base(error.Message)
    {
        Error = error;
    }

    public InferenceException(StatusCode code, string message)
        : this(new InferenceError(code, message))
    {
    }

    public InferenceException(StatusCode code, string message, Exception inner)
        : base(message, inner)
    {
        Error = new InferenceError(code, message);
    }

    public InferenceError Error { get; }
}
