using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.RateLimiting;

/// <summary>Per-caller and per-model token buckets; 429 with <c>Retry-After</c> (gRPC: RESOURCE_EXHAUSTED).</summary>
internal sealed class RateLimitingMiddleware(RequestDelegate next, EdgeRateLimiter limiter, IServiceProvider services)
{
    // Registered by the gateway host; an edge host without it counts nothing.
    private readonly Telemetry.GatewayMetrics? _metrics = services.GetService(typeof(Telemetry.GatewayMetrics)) as Telemetry.GatewayMetrics;

    public Task InvokeAsync(HttpContext context)
    {
        // Health probes are never throttled: a limit must not make a replica look dead.
        if (!limiter.Enabled || EdgeRequestInfo.IsHealthProbe(context.Request))
        {
            return next(context);
        }

        var info = EdgeRequestInfo.Get(context);
        // The address is the bucket of anonymous callers only: not made into a string for the others.
        var address = info.CallerKey is null || info.CallerIdentity is null ? context.Connection.RemoteIpAddress?.ToString() ?? "unknown" : "";

        // Management (load/unload, logging) takes a token from the caller's bucket only: it must not spend the
        // model's inference budget, nor be starved by it.
        var modelBucket = info.Operation == GatewayOperation.Admin ? null : info.Model;
        if (limiter.TryAcquire(info.CallerKey, info.CallerIdentity, address, modelBucket) is not { } refusal)
        {
            // Every later message of a gRPC stream takes its own tokens (caller, then the model it names); a unary
            // call has one message (its guard refuses a second).
            if (context.Features.Get<GrpcMessageGuard>() is { Streaming: true } guard)
            {
                AddStreamCheck(guard, info.CallerKey, info.CallerIdentity, address);
            }

            return next(context);
        }

        _metrics?.RateLimited(refusal.Scope, info.Model);
        context.Response.Headers[HeaderNames.RetryAfter] = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return EdgeErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, refusal.Message);
    }

    /// <summary>
    /// Tokens for every later message of a gRPC stream. A method of its own: a lambda capturing the request's values in
    /// <see cref="InvokeAsync"/> would make its closure on every request, stream or not.
    /// </summary>
    private void AddStreamCheck(GrpcMessageGuard guard, string? caller, string? identity, string address) =>
        guard.AddCheck(model =>
        {
            if (limiter.TryAcquire(caller, identity, address, model) is not { } later)
            {
                return null;
            }

            _metrics?.RateLimited(later.Scope, model);
            return new StreamRefusal(StatusCodes.Status429TooManyRequests, later.Message);
        });
}
