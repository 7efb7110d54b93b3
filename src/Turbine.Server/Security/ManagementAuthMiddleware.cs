using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;
using Turbine.Server.Http;

namespace Turbine.Server.Security;

/// <summary>
/// Runs after routing: a REST endpoint carrying <see cref="ManagementOperationAttribute"/> runs only when
/// <see cref="ManagementAuthorizer"/> allows it; otherwise the answer is 401 (with <c>WWW-Authenticate: Bearer</c>)
/// or 403 and a JSON error that says what to do. gRPC calls are checked by <see cref="ManagementAuthInterceptor"/>,
/// which can answer with a gRPC status.
/// </summary>
internal static class ManagementAuthMiddleware
{
    public static Task InvokeAsync(HttpContext ctx, Func<Task> next, ManagementAuthorizer authorizer)
    {
        // A gRPC method is left to the interceptor, which answers with a gRPC status. Decided by the endpoint, never
        // by the request's content type: a REST call claiming application/grpc is still checked here.
        var metadata = ctx.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<ManagementOperationAttribute>() is null || metadata.GetMetadata<GrpcMethodMetadata>() is not null)
        {
            return next();
        }

        var refusal = authorizer.Check($"{ctx.Request.Method} {ctx.Request.Path}", [.. ctx.Request.Headers.Authorization.OfType<string>()]);
        if (refusal is null)
        {
            return next();
        }

        if (refusal.Unauthenticated)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return HttpErrors.WriteAsync(ctx, refusal.Unauthenticated ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden, refusal.Message);
    }
}
