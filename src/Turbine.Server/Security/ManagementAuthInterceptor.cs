using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;

namespace Turbine.Server.Security;

/// <summary>
/// The gRPC side of <see cref="ManagementAuthorizer"/>: a method carrying <see cref="ManagementOperationAttribute"/>
/// runs only with the right <c>authorization: Bearer</c> metadata; otherwise the call ends with UNAUTHENTICATED or
/// PERMISSION_DENIED and the same message REST gives.
/// </summary>
internal sealed class ManagementAuthInterceptor(ManagementAuthorizer authorizer) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<ManagementOperationAttribute>() is null)
        {
            return;
        }

        var values = context.RequestHeaders.Where(e => !e.IsBinary && e.Key == "authorization").Select(e => e.Value).ToList();
        if (authorizer.Check("gRPC " + context.Method, values) is { } refusal)
        {
            throw new RpcException(new Status(refusal.Unauthenticated ? StatusCode.Unauthenticated : StatusCode.PermissionDenied, refusal.Message));
        }
    }
}
