using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway;

/// <summary>Access to the request's <see cref="GatewayRequestInfo"/> feature for the edge middleware.</summary>
internal static class EdgeRequestInfo
{
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
                Operation = context.Request.Path.StartsWithSegments("/v2/health", StringComparison.Ordinal)
                    ? GatewayOperation.Server
                    : GatewayOperation.Admin,
            };
            context.Features.Set(info);
        }

        return info;
    }
}
