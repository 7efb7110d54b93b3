namespace Turbine.Core;

/// <summary>
/// Outcome classes of engine operations. Front ends map them to protocol codes: HTTP (Triton's mapping,
/// see PROTOCOL.md) and gRPC status codes.
/// </summary>
public enum StatusCode
{
    Ok = 0,
    InvalidArgument,
    NotFound,
    Unavailable,
    Unsupported,
    Internal,
    ResourceExhausted,
    DeadlineExceeded,
    Cancelled,
    AlreadyExists,
}
