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
    public const string UnreachableCode = "unreachable";

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

    public bool IsNotFound => StatusCode == 404;
}
