namespace Turbine.Client.Registry;

/// <summary>
/// The registry answered an error (<see cref="StatusCode"/> is the HTTP status, <see cref="Code"/> its machine code,
/// the message the server's), or could not be reached (status 0, code <c>unreachable</c>).
/// </summary>
/// <remarks>
/// The registry's only exception type, owned by the SDK because callers catch it. The registry server does not throw
/// for expected failures: it returns them as values and answers <c>{"error","code"}</c> with the status, which
/// <see cref="RegistryClient"/> turns into this exception.
/// </remarks>
public sealed class RegistryException : Exception
{
    /// <summary>The <see cref="Code"/> when the registry could not be reached (<see cref="StatusCode"/> 0).</summary>
    public const string UnreachableCode = "unreachable";

    /// <summary>An error the registry answered, or <see cref="UnreachableCode"/> with status 0.</summary>
    /// <param name="statusCode">The HTTP status; 0 when no answer came.</param>
    /// <param name="code">The machine code of the error body.</param>
    /// <param name="message">The server's message.</param>
    /// <param name="innerException">The transport error, when the registry could not be reached.</param>
    public RegistryException(int statusCode, string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>The HTTP status of the answer; 0 when no answer came.</summary>
    public int StatusCode { get; }

    /// <summary>The <c>code</c> field of the error body (<c>not_found</c>, <c>already_exists</c>, …).</summary>
    public string Code { get; }

    /// <summary>True when the registry answered 404 (no such model, version or alias).</summary>
    public bool IsNotFound => StatusCode == 404;
}
