using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Logging;
using Turbine.Gateway.RateLimiting;
using Turbine.Gateway.Transforms;

namespace Turbine.Gateway;

/// <summary>
/// The gateway's edge middleware: access logs, authentication/authorisation, rate limiting and transformations.
/// The host registers <see cref="Configuration.IGatewayConfigSource"/>, <see cref="Routing.IModelMetadataSource"/>,
/// <see cref="TimeProvider"/> and logging, calls <see cref="AddGatewayEdge"/>, then adds the middleware in this
/// order: <see cref="UseGatewayAccessLog"/>, (classification), <see cref="UseGatewayAuthentication"/>,
/// <see cref="UseGatewayRateLimiting"/>, <see cref="UseGatewayTransforms"/>, (traffic policy and forwarding).
/// Each section left out of the config makes its middleware pass requests through.
/// </summary>
public static class GatewayEdgeExtensions
{
    /// <summary>Registers what the edge middleware need (a replaceable <see cref="TimeProvider"/> defaults to the system clock).</summary>
    public static IServiceCollection AddGatewayEdge(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JwksSourceCache>();
        services.TryAddSingleton<EdgeAuthenticator>();
        services.TryAddSingleton<EdgeRateLimiter>();
        services.TryAddSingleton<Routing.RequestBufferBudget>();
        services.TryAddSingleton<AccessLogWriter>();
        services.TryAddSingleton<AccessLogSampler>();
        return services;
    }

    /// <summary>Outermost: one JSON access-log line per request when it completes.</summary>
    public static IApplicationBuilder UseGatewayAccessLog(this IApplicationBuilder app) =>
        app.UseMiddleware<AccessLogMiddleware>();

    /// <summary>Authenticates the caller and authorises the classified model and operation (401/403).</summary>
    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app) =>
        app.UseMiddleware<AuthenticationMiddleware>();

    /// <summary>Token buckets per caller and per model (429 with Retry-After).</summary>
    public static IApplicationBuilder UseGatewayRateLimiting(this IApplicationBuilder app) =>
        app.UseMiddleware<RateLimitingMiddleware>();

    /// <summary>Header injection and the KServe v1 ⇄ v2 translation around the proxy.</summary>
    public static IApplicationBuilder UseGatewayTransforms(this IApplicationBuilder app) =>
        app.UseMiddleware<TransformMiddleware>();
}
