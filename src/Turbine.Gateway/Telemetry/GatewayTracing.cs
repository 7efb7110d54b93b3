using System.Diagnostics;

namespace Turbine.Gateway.Telemetry;

/// <summary>
/// The gateway's span: <c>turbine.gateway.forward</c> on the <c>Turbine.Gateway</c> activity source, a child of the
/// caller's <c>traceparent</c>. YARP's propagator then sends the span's own context to the replica, so the
/// server's spans are children of the caller's trace; without a listener no span starts and the caller's
/// <c>traceparent</c> is forwarded unchanged (the same trace id either way).
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "Turbine.Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartForward(Microsoft.AspNetCore.Http.HttpContext context, string? model, string pool)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        if (Activity.Current is { } current)
        {
            parent = current.Context;
        }
        else if (context.Request.Headers.TryGetValue("traceparent", out var header)
                 && ActivityContext.TryParse(header.ToString(), context.Request.Headers.TryGetValue("tracestate", out var state) ? state.ToString() : null, isRemote: true, out var parsed))
        {
            parent = parsed;
        }

        var activity = Source.StartActivity("turbine.gateway.forward", ActivityKind.Client, parent);
        activity?.SetTag("turbine.model", model);
        activity?.SetTag("turbine.pool", pool);
        return activity;
    }
}
