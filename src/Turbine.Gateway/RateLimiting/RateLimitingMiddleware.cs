using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Turbine.Gateway.RateLimiting;

/// <summary>Per-caller and per-model token buckets; 429 with <c>Retry-After</c> (gRPC: RESOURCE_EXHAUSTED).</summary>
internal sealed class RateLimitingMiddleware(RequestDelegate next, EdgeRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Health probes are never throttled: a limit must not make a replica look dead.
        if (!limiter.Enabled || EdgeRequestInfo.IsHealthProbe(context.Request))
        {
            return next(context);
        }

        var info = EdgeRequestInfo.Get(context);
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.TryAcquire(info.CallerKey, address, info.Model) is not { } refusal)
        {
            return next(context);
        }

        context.Response.Headers[HeaderNames.RetryAfter] = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return EdgeErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, refusal.Message);
    }
}
