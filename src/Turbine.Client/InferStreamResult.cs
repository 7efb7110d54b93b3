namespace Turbine.Client;

/// <summary>
/// One response of <see cref="TurbineGrpcClient.StreamInferAsync"/>: a result, or the error the server reported
/// for one request (its <c>error_message</c>), which does not end the stream.
/// </summary>
public sealed class InferStreamResult
{
    internal InferStreamResult(string? id, InferResult? result, TurbineClientException? error)
    {
        Id = id;
        Result = result;
        Error = error;
    }

    /// <summary>The request id the server echoed; null when it sent none.</summary>
    public string? Id { get; }

    /// <summary>The response; null when <see cref="Error"/> is set.</summary>
    public InferResult? Result { get; }

    /// <summary>The server's error for this request (gRPC status Unknown, <see cref="TurbineClientException.RequestId"/> = <see cref="Id"/>); null on success.</summary>
    public TurbineClientException? Error { get; }

    /// <summary>True when the server answered this request with a result, not an error.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>The result, or throws <see cref="Error"/>.</summary>
    /// <exception cref="TurbineClientException">The server reported an error for this request.</exception>
    public InferResult GetResult() => Result ?? throw Error!;
}
