using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>
/// A stand-in for the gateway's request classifier (owned by the proxy path): fills <see cref="GatewayRequestInfo"/>
/// from the REST path, or for gRPC from the method and the <c>x-test-model</c> header.
/// </summary>
public static class TestClassifier
{
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Set(Classify(context.Request));
        return next(context);
    }

    public static GatewayRequestInfo Classify(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            var method = segments.Length > 1 ? segments[1] : "";
            return new GatewayRequestInfo
            {
                Protocol = "grpc",
                Model = request.Headers["x-test-model"].FirstOrDefault(),
                Operation = method switch
                {
                    "ModelInfer" or "ModelStreamInfer" => GatewayOperation.Infer,
                    "ServerLive" or "ServerReady" or "ServerMetadata" => GatewayOperation.Server,
                    "RepositoryModelLoad" or "RepositoryModelUnload" => GatewayOperation.Admin,
                    _ => GatewayOperation.Metadata,
                },
            };
        }

        if (segments is ["v1", "models", var v1Model, ..])
        {
            var colon = v1Model.IndexOf(':', StringComparison.Ordinal);
            return new GatewayRequestInfo
            {
                Protocol = "v1",
                Model = colon < 0 ? v1Model : v1Model[..colon],
                Operation = colon < 0 ? GatewayOperation.Metadata : GatewayOperation.Infer,
            };
        }

        if (segments is ["v2", "repository", ..])
        {
            return new GatewayRequestInfo { Operation = GatewayOperation.Admin };
        }

        if (segments is ["v2", "models", var model, ..])
        {
            var version = segments.Length > 4 && segments[3] == "versions" ? segments[4] : null;
            return new GatewayRequestInfo
            {
                Model = model,
                Version = version,
                Operation = segments[^1] == "infer" ? GatewayOperation.Infer : GatewayOperation.Metadata,
            };
        }

        return new GatewayRequestInfo { Operation = GatewayOperation.Server };
    }
}
