using Grpc.Core;
using Turbine.Core;

namespace Turbine.Server.Grpc;

/// <summary>Maps engine status classes to gRPC status codes; the messages are the same as REST's.</summary>
internal static class GrpcErrors
{
    public static global::Grpc.Core.StatusCode ToGrpc(Turbine.Core.StatusCode code) => code switch
    {
        Turbine.Core.StatusCode.Ok => global::Grpc.Core.StatusCode.OK,
        Turbine.Core.StatusCode.InvalidArgument => global::Grpc.Core.StatusCode.InvalidArgument,
        Turbine.Core.StatusCode.NotFound => global::Grpc.Core.StatusCode.NotFound,
        Turbine.Core.StatusCode.Unavailable => global::Grpc.Core.StatusCode.Unavailable,
        Turbine.Core.StatusCode.Unsupported => global::Grpc.Core.StatusCode.Unimplemented,
        Turbine.Core.StatusCode.ResourceExhausted => global::Grpc.Core.StatusCode.ResourceExhausted,
        Turbine.Core.StatusCode.DeadlineExceeded => global::Grpc.Core.StatusCode.DeadlineExceeded,
        Turbine.Core.StatusCode.Cancelled => global::Grpc.Core.StatusCode.Cancelled,
        Turbine.Core.StatusCode.AlreadyExists => global::Grpc.Core.StatusCode.AlreadyExists,
        _ => global::Grpc.Core.StatusCode.Internal,
    };

    /// <summary>Sets the call's status from an engine error and returns the (empty) response to send with it.</summary>
    public static T Fail<T>(ServerCallContext context, InferenceError error)
        where T : new()
    {
        context.Status = new Status(ToGrpc(error.Code), error.Message);
        return new T();
    }

    public static RpcException Exception(InferenceError error) => new(new Status(ToGrpc(error.Code), error.Message));
}
