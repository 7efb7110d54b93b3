using Grpc.Core;

namespace Turbine.Client.Internal;

/// <summary>Maps gRPC failures to <see cref="TurbineClientException"/>.</summary>
internal static class GrpcErrors
{
    public static TurbineClientException From(RpcException e, string? requestId = null) =>
        new(e.StatusCode, e.Status.Detail, requestId, e);

    /// <summary>Awaits a unary call, turning an <see cref="RpcException"/> into a <see cref="TurbineClientException"/>.</summary>
    public static async Task<T> CallAsync<T>(AsyncUnaryCall<T> call, string? requestId = null)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw From(e, requestId);
            }
        }
    }
}
