namespace Turbine.Backend;

/// <summary>A model called through <see cref="IModelClient"/> failed; the message is its error.</summary>
public sealed class ModelCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelCallException()
    {
    }

    /// <summary>Creates the exception with the called model's error.</summary>
    /// <param name="message">The error.</param>
    public ModelCallException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the called model's error and its cause.</summary>
    /// <param name="message">The error.</param>
    /// <param name="innerException">The cause.</param>
    public ModelCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The status the call ended with (<c>InvalidArgument</c>, <c>NotFound</c>, <c>Unavailable</c>, …).</summary>
    public string Status { get; init; } = "";
}
