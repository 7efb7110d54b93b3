namespace Turbine.Client;

/// <summary>The server answered with an error status, or with a response the client cannot read.</summary>
public sealed class TurbineClientException : Exception
{
    public TurbineClientException(int statusCode, string serverMessage)
        : base($"HTTP {statusCode}: {serverMessage}")
    {
        StatusCode = statusCode;
        ServerMessage = serverMessage;
    }

    public TurbineClientException(int statusCode, string serverMessage, Exception innerException)
        : base($"HTTP {statusCode}: {serverMessage}", innerException)
    {
        StatusCode = statusCode;
        ServerMessage = serverMessage;
    }

    /// <summary>The HTTP status code of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The "error" field of the JSON body, or the raw body when it has none.</summary>
    public string ServerMessage { get; }
}
