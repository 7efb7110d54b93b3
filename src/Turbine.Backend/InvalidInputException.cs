namespace Turbine.Backend;

/// <summary>
/// Thrown by <see cref="ITurbineModel.ExecuteAsync"/> when a request's input is invalid (an undecodable image, text
/// over a limit): the client gets the message with HTTP 400 / gRPC INVALID_ARGUMENT instead of an internal error, and
/// the model keeps serving. Any other exception is an internal error (500 / INTERNAL).
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidInputException()
    {
    }

    /// <summary>Creates the exception with the message the client sees.</summary>
    /// <param name="message">What is wrong with the input, naming it.</param>
    public InvalidInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the client sees and its cause.</summary>
    /// <param name="message">What is wrong with the input, naming it.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
