using Grpc.Core;

namespace Turbine.Client;

/// <summary>The server answered with an error status, or with a response the client cannot read.</summary>
public sealed class TurbineClientException : Exception
{
    /// <summary>An HTTP error: <see cref="StatusCode"/> is the HTTP status.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="serverMessage">The server's error message.</param>
    public TurbineClientException(int statusCode, string serverMessage)
        : base($"HTTP {statusCode}: {serverMessage}")
    {
        StatusCode = statusCode;
        ServerMessage = serverMessage;
    }

    /// <summary>An HTTP error, or an answer the client could not read, with the exception that caused it.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="serverMessage">The server's error message, or what could not be read.</param>
    /// <param name="innerException">The cause.</param>
    public TurbineClientException(int statusCode, string serverMessage, Exception innerException)
        : base($"HTTP {statusCode}: {serverMessage}", innerException)
    {
        StatusCode = statusCode;
        ServerMessage = serverMessage;
    }

    /// <summary>A gRPC error: <see cref="StatusCode"/> is the gRPC status code as an int.</summary>
    /// <param name="grpcStatusCode">The gRPC status of the call.</param>
    /// <param name="serverMessage">The status detail.</param>
    /// <param name="requestId">The id of the request that failed, when known (stream responses).</param>
    /// <param name="innerException">The <see cref="RpcException"/>, if any.</param>
    public TurbineClientException(StatusCode grpcStatusCode, string serverMessage, string? requestId = null, Exception? innerException = null)
        : base(GrpcMessage(grpcStatusCode, serverMessage, requestId), innerException)
    {
        StatusCode = (int)grpcStatusCode;
        GrpcStatusCode = grpcStatusCode;
        ServerMessage = serverMessage;
        RequestId = requestId;
    }

    /// <summary>The HTTP status code of the response, or the gRPC status code as an int for gRPC errors.</summary>
    public int StatusCode { get; }

    /// <summary>The gRPC status of the call; null for HTTP errors.</summary>
    public StatusCode? GrpcStatusCode { get; }

    /// <summary>The "error" field of the JSON body (the raw body when it has none), or the gRPC status detail.</summary>
    public string ServerMessage { get; }

    /// <summary>The id of the failed request when the error is tied to one (a stream's error_message); else null.</summary>
    public string? RequestId { get; }

    private static string GrpcMessage(StatusCode code, string message, string? requestId) =>
        requestId is { Length: > 0 }
            ? $"gRPC {code} (request '{requestId}'): {message}"
            : $"gRPC {code}: {message}";
}
