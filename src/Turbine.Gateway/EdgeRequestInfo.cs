using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway;

/// <summary>Access to the request's <see cref="GatewayRequestInfo"/> feature for the edge middleware.</summary>
internal static class EdgeRequestInfo
{
    /// <summary>
    /// Liveness/readiness probes: REST <c>/v2/health/*</c>, gRPC ServerLive/ServerReady and <c>grpc.health.v1.Health</c>.
    /// They may pass without a credential (<c>auth.anonymousHealth</c>) and are never rate-limited.
    /// </summary>
    public static bool IsHealthProbe(HttpRequest request)
    {
        var path = request.Path;
        return path.StartsWithSegments("/v2/health", StringComparison.Ordinal)
            || path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal)
            || path.Equals("/inference.GRPCInferenceService/ServerLive", StringComparison.Ordinal)
            || path.Equals("/inference.GRPCInferenceService/ServerReady", StringComparison.Ordinal);
    }

    /// <summary>
    /// The classifier's info; when the pipeline has no classifier in front, a conservative one is created:
    /// health probes are server reads, everything else counts as an admin operation (only admins, or no auth, pass).
    /// </summary>
    public static GatewayRequestInfo Get(HttpContext context)
    {
        var info = context.Features.Get<GatewayRequestInfo>();
        if (info is null)
        {
            info = new GatewayRequestInfo
            {
                Operation = IsHealthProbe(context.Request)
                    ? GatewayOperation.Server
                    : GatewayOperation.Admin,
            };
            context.Features.Set(info);
        }

        return info;
    }
}
