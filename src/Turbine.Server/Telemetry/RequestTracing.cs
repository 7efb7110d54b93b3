using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Turbine.Core;

namespace Turbine.Server.Telemetry;

/// <summary>
/// W3C trace context for the inference front ends: the <c>traceparent</c>/<c>tracestate</c> request headers
/// (HTTP/1.1 headers for REST, HTTP/2 headers = gRPC metadata) become the parent of <c>turbine.infer</c> (which the
/// engine starts and ends), and the span's own <c>traceparent</c> goes back as a response header.
/// </summary>
internal static class RequestTracing
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    /// <summary>
    /// Puts what the engine needs for the request's telemetry on it: the protocol, the caller's trace context (read
    /// only when tracing is on) and when the front end received it (<paramref name="receivedTimestamp"/>).
    /// </summary>
    public static void Describe(InferenceRequest request, HttpContext ctx, RequestProtocol protocol, long receivedTimestamp)
    {
        request.Protocol = ServerMetrics.ProtocolLabel(protocol);
        request.TraceParent = EngineTracing.Source.HasListeners() ? Parent(ctx) : default;
        request.ReceivedTimestamp = receivedTimestamp;
    }

    /// <summary>Adds the span's <c>traceparent</c> to the response headers, while they can still be changed.</summary>
    public static void AddResponseHeader(HttpContext ctx, Activity? activity)
    {
        if (activity is not null && !ctx.Response.HasStarted)
        {
            ctx.Response.Headers[TraceParentHeader] = activity.Id;
            if (activity.TraceStateString is { Length: > 0 } state)
            {
                ctx.Response.Headers[TraceStateHeader] = state;
            }
        }
    }

    private static ActivityContext Parent(HttpContext ctx)
    {
        // A host span that is exported (ASP.NET Core instrumentation listening) is the better parent: it already
        // is the caller's child. Otherwise the caller's context from the headers; none = a new trace.
        if (Activity.Current is { Source.Name: "Microsoft.AspNetCore", IsAllDataRequested: true } host)
        {
            return host.Context;
        }

        var parent = ctx.Request.Headers[TraceParentHeader].ToString();
        if (parent.Length > 0)
        {
            var state = ctx.Request.Headers[TraceStateHeader].ToString();
            if (ActivityContext.TryParse(parent, state.Length > 0 ? state : null, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }
}
