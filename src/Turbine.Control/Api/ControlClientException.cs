namespace Turbine.Control.Api;

/// <summary>The control service refused a call: its status, error code, message and (for a bad spec) every diagnostic.</summary>
public sealed class ControlClientException : Exception
{
    public ControlClientException()
    {
    }

    public ControlClientException(string message)
        : base(message)
    {
    }

    public ControlClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A refusal with its HTTP status and the body's code and diagnostics.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="code">The error code (<c>invalid_spec</c>, <c>not_found</c>…).</param>
    /// <param name="message">The error text.</param>
    /// <param name="diagnostics">The spec's diagnostics (empty unless <c>invalid_spec</c>).</param>
    public ControlClientException(int statusCode, string code, string message, IReadOnlyList<SpecDiagnosticResponse> diagnostics)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        Diagnostics = diagnostics;
    }

    public int StatusCode { get; }

    public string Code { get; } = "";

    public IReadOnlyList<SpecDiagnosticResponse> Diagnostics { get; } = [];
}
