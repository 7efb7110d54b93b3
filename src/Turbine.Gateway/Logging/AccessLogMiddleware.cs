using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Logging;

/// <summary>
/// Outermost middleware: measures each request and, when it completes, writes one JSON line with what the inner
/// middleware recorded in <see cref="GatewayRequestInfo"/> (model, operation, caller, pool, destination, retries),
/// the status, duration, bytes in/out and the W3C trace/span ids.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, IGatewayConfigSource config, AccessLogWriter writer, AccessLogSampler sampler, TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
    {
        var section = config.Current.AccessLog ?? DefaultSection;
        // Off or excluded: hand over without an async frame of our own (no state machine per request).
        return !section.Enabled || IsExcluded(section, context.Request.Path) ? next(context) : LogAsync(context, section);
    }

    private static readonly AccessLogConfig DefaultSection = new(); // no section: the defaults (on)

    private async Task LogAsync(HttpContext context, AccessLogConfig section)
    {
        var started = time.GetTimestamp();
        var timestamp = time.GetUtcNow();
        var request = context.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.HasValue ? request.QueryString.Value : null;
        var (traceId, spanId) = TraceIds(context);

        CountingRequestStream? bodyIn = null;
        if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            bodyIn = new CountingRequestStream(request.Body);
            request.Body = bodyIn;
        }

        var bytesIn = request.ContentLength ?? 0;
        var bodyFeature = context.Features.Get<IHttpResponseBodyFeature>();
        CountingResponseBody? bodyOut = null;
        if (bodyFeature is not null)
        {
            bodyOut = new CountingResponseBody(bodyFeature);
            context.Features.Set<IHttpResponseBodyFeature>(bodyOut);
        }

        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (bodyOut is not null)
            {
                context.Features.Set(bodyFeature);
            }

            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            if (ShouldLog(section, status))
            {
                var info = context.Features.Get<GatewayRequestInfo>();
                writer.Write(section.ResolvedPath, new AccessLogRecord
                {
                    Timestamp = timestamp,
                    Method = method,
                    Path = path,
                    Query = query,
                    Protocol = info?.Protocol ?? (EdgeErrors.IsGrpc(request) ? "grpc" : "rest"),
                    Model = info?.Model,
                    Version = info?.Version,
                    Operation = info is null ? "unknown" : AccessRules.Name(info.Operation),
                    Status = status,
                    GrpcStatus = GrpcStatus(context),
                    DurationMs = time.GetElapsedTime(started).TotalMilliseconds,
                    BytesIn = bodyIn?.Bytes ?? bytesIn,
                    BytesOut = bodyOut?.Bytes ?? 0,
                    Caller = info?.CallerKey,
                    Pool = info?.Pool,
                    TargetVersion = info?.TargetVersion,
                    Destination = info?.Destination,
                    Retries = info?.Retries ?? 0,
                    TraceId = traceId,
                    SpanId = spanId,
                    UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
                    RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
                });
            }
        }
    }

    private static bool IsExcluded(AccessLogConfig section, PathString path)
    {
        if (section.ExcludePaths.Count == 0)
        {
            return false;
        }

        var value = path.Value ?? "/";
        foreach (var pattern in section.ExcludePaths)
        {
            if (pattern.EndsWith('*')
                ? value.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
                : value == pattern)
            {
                return true;
            }
        }

        return false;
    }

    private bool ShouldLog(AccessLogConfig section, int status) =>
        (section.AlwaysLogErrors && status >= 400) || sampler.Sample(section.SampleRate);

    /// <summary>The request's trace and span ids: the current activity's (the gateway's span), else the incoming traceparent's.</summary>
    internal static (string? TraceId, string? SpanId) TraceIds(HttpContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            return (activity.TraceId.ToHexString(), activity.SpanId.ToHexString());
        }

        var header = context.Request.Headers["traceparent"].ToString();
        return ActivityContext.TryParse(header, null, out var parsed)
            ? (parsed.TraceId.ToHexString(), parsed.SpanId.ToHexString())
            : (null, null);
    }

    private static int? GrpcStatus(HttpContext context)
    {
        var value = context.Response.Headers["grpc-status"].ToString();
        if (value.Length == 0)
        {
            value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers?["grpc-status"].ToString() ?? "";
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
    }
}
