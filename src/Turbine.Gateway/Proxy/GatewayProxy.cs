using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Activation;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Telemetry;
using Turbine.Gateway.Traffic;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// The last step of the pipeline for proxied requests: traffic policy → pool → balancing policy → YARP's
/// <see cref="IHttpForwarder"/>, with safe retries on another replica (a zero-delay loop within the pool's retry budget),
/// passive outlier ejection, shadow copies, metrics and the gateway span.
/// </summary>
internal sealed partial class GatewayProxy : IDisposable
{
    private static readonly ForwarderRequestConfig RestConfig = new() { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower, ActivityTimeout = TimeSpan.FromMinutes(5) };
    private static readonly ForwarderRequestConfig GrpcConfig = new() { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = TimeSpan.FromMinutes(5) };

    private readonly IHttpForwarder _forwarder;
    private readonly PoolRegistry _pools;
    private readonly TrafficRouter _router;
    private readonly ShadowMirror _shadow;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _invoker;
    private readonly RequestBufferBudget _budget;
    private readonly GatewayActivation _activation;

    public GatewayProxy(IHttpForwarder forwarder, PoolRegistry pools, TrafficRouter router, ShadowMirror shadow, GatewayMetrics metrics, RequestBufferBudget budget, GatewayActivation activation, TimeProvider time, ILogger<GatewayProxy> logger)
    {
        _activation = activation;
        _budget = budget;
        _forwarder = forwarder;
        _pools = pools;
        _router = router;
        _shadow = shadow;
        _metrics = metrics;
        _time = time;
        _logger = logger;
#pragma warning disable CA2000 // the invoker owns and disposes the handler chain
        _invoker = new HttpMessageInvoker(new KeptBodyHandler(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        }));
#pragma warning restore CA2000
    }

    public void Dispose() => _invoker.Dispose();

    public async Task ForwardAsync(HttpContext context, GatewayRequestInfo info)
    {
        var start = _time.GetTimestamp();
        var set = _pools.Current;
        var config = set.Config;
        TrafficDecision decision;
        if (info.Route.Kind == RouteKind.ServerWide)
        {
            var pool = DefaultPool(config);
            if (pool is null)
            {
                await GatewayErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayErrors.GrpcUnavailable, "the gateway has no pools configured").ConfigureAwait(false);
                return;
            }

            decision = new TrafficDecision(pool, null, null);
        }
        else
        {
            var model = info.Model!;
            var modelRoute = config.Models.GetValueOrDefault(model) ?? config.Models.GetValueOrDefault("*");
            if (modelRoute is null)
            {
                // Triton's answer for a model it does not have (INVALID_ARG): clients and their examples match this text.
                _metrics.Request(model, "", "", info.Protocol, StatusCodes.Status400BadRequest, 0);
                LogUnrouted(_logger, model);
                await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, GatewayErrors.GrpcInvalidArgument, GatewayErrors.UnknownModel(model)).ConfigureAwait(false);
                return;
            }

            decision = _router.Decide(model, modelRoute, context, info);
        }

        var backendPool = set.Get(decision.Pool)!;
        info.Pool = decision.Pool;
        // Only these two of the decision are needed past the first await (the pool's name is info.Pool): fewer
        // fields in this method's state machine box, which every request allocates.
        var (shadowPool, targetVersion) = (decision.ShadowPool, decision.Version);

        // The pool's request timeout covers everything from here: the activator's wait, every attempt, the answer.
        var clientAborted = context.RequestAborted;
#pragma warning disable CA2000 // disposed by the using declaration (the analyzer loses track of it across the attempts' catch)
        using var deadline = RequestDeadline.Start(backendPool.Config.RequestTimeoutMs, _time, clientAborted);
#pragma warning restore CA2000
        if (deadline is not null)
        {
            context.RequestAborted = deadline.Token;
        }

        var grpc = info.Route.GrpcMethod is not null;
        // The body is kept in memory only when something needs it again: a retry on another replica, a shadow copy,
        // a gRPC version rewrite, or the activator holding the request. Otherwise it streams straight through.
        var keepBody = backendPool.Config.Retry.MaxAttempts > 1 || decision.ShadowPool is not null || backendPool.Activates
            || (grpc && decision.Version is not null);
        // The attempt is also the request's ForwardState (what the transformer reads) and holds the kept body and the
        // pool: one object, and fewer fields in this method's state machine box (which every request allocates).
        var attempt = new Attempt(context, info, backendPool, grpc);
        context.Features.Set<ForwardState>(attempt);
        bool budgetSpent;
        try
        {
            budgetSpent = await BufferAsync(context, attempt, backendPool.Config.Retry.MaxBufferBytes, info.Route.Streaming || !keepBody, _budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline?.TimedOut == true)
        {
            // The client declared a body and stopped sending it: the pool's timeout ends the read (nothing forwarded).
            context.RequestAborted = clientAborted;
            LogTimedOut(_logger, info.Model ?? "(server)", info.Pool!, attempt.Pool.Config.RequestTimeoutMs);
            await GatewayErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout, GatewayErrors.GrpcDeadlineExceeded, TimeoutMessage(attempt.Pool)).ConfigureAwait(false);
            return;
        }

        if (budgetSpent)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayErrors.GrpcUnavailable, _budget.Exhausted(), TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return;
        }

        if (attempt.Pool.Activates)
        {
            // Scaled to zero: hold the request (its body is buffered above) until a replica is added, or refuse it.
            if (await ActivateAsync(context, info, attempt.Pool, start, deadline, clientAborted).ConfigureAwait(false) is not { } activated)
            {
                return; // answered there, or the client went away
            }

            attempt.Pool = activated;
        }

        var guard = context.Features.Get<GrpcMessageGuard>();
        if (guard?.Refusal is { } early)
        {
            // A buffered call whose message the edge refused is never forwarded.
            await EdgeErrors.WriteAsync(context, early.Status, early.Message).ConfigureAwait(false);
            return;
        }

        var extras = Prepare(context, info, info.Route, shadowPool, targetVersion, ref attempt.Body);
        using var activity = GatewayTracing.StartForward(context, info.Model, info.Pool);
        attempt.Pool.Budget.OnRequest();
        AttemptResult result;
        try
        {
            // The attempts, inline (no frame of their own): again on a replica not tried yet while the answer is
            // retryable, attempts remain (retry.maxAttempts) and the pool's retry budget has a token; no delay between.
            var maxAttempts = Math.Max(1, attempt.Pool.Config.Retry.MaxAttempts);
            for (var n = 1; ; n++)
            {
                if (BeginAttempt(attempt, out result) is { } replica)
                {
                    ForwarderError error;
                    try
                    {
                        error = await _forwarder.SendAsync(context, grpc ? replica.GrpcPrefix! : replica.HttpPrefix, _invoker, grpc ? GrpcConfig : RestConfig, GatewayTransformer.Instance).ConfigureAwait(false);
                    }
                    finally
                    {
                        replica.End();
                    }

                    result = EndAttempt(attempt, replica, error);
                }

                if (!result.Retryable || n >= maxAttempts || !attempt.Pool.Budget.TryRetry())
                {
                    break;
                }

                context.RequestAborted.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            if (deadline?.TimedOut != true)
            {
                throw;
            }

            result = new AttemptResult(attempt.Tried.LastOrDefault(), false, false, "the request timed out");
        }
        finally
        {
            if (extras is not null)
            {
                context.Response.Body = extras.OriginalResponseBody; // only when replaced: setting it may wrap it in a new feature
            }
        }

        if (extras?.Filter is { } filter)
        {
            await WriteFilteredAsync(context, filter, grpc, result).ConfigureAwait(false);
        }

        info.Retries = attempt.Tried.Count - 1;
        info.Destination = result.Replica?.Id;
        context.RequestAborted = clientAborted; // what follows writes under the client's token, not the spent deadline
        if (deadline?.TimedOut == true)
        {
            // The replica's answer, if any started, is incomplete: cut it rather than end it as if it were whole.
            LogTimedOut(_logger, info.Model ?? "(server)", info.Pool!, attempt.Pool.Config.RequestTimeoutMs);
            if (context.Response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                context.Response.Clear();
                await GatewayErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout, GatewayErrors.GrpcDeadlineExceeded, TimeoutMessage(attempt.Pool)).ConfigureAwait(false);
            }
        }
        else if (guard?.Refusal is { } refused && !context.Response.HasStarted)
        {
            await EdgeErrors.WriteAsync(context, refused.Status, refused.Message).ConfigureAwait(false);
        }
        else if (result.Failure is not null)
        {
            LogForwardFailed(_logger, info.Model ?? "(server)", info.Pool!, result.Failure);
            if (result.Full)
            {
                await GatewayErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, GatewayErrors.GrpcResourceExhausted, result.Failure, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            else if (!context.Response.HasStarted)
            {
                var status = attempt.Held503 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway;
                await GatewayErrors.WriteAsync(context, status, GatewayErrors.GrpcUnavailable, result.Failure).ConfigureAwait(false);
            }
        }

        activity?.SetTag("http.response.status_code", context.Response.StatusCode);
        var grpcStatus = grpc ? GrpcStatusOf(context) : -1;
        var served = context.Response.StatusCode < 400 && result.Failure is null && (!grpc || grpcStatus == 0);
        var elapsedMs = _time.GetElapsedTime(start).TotalMilliseconds;
        _metrics.Request(info.Model ?? "", info.Pool!, result.Replica?.Id ?? "", info.Protocol, context.Response.StatusCode, elapsedMs, info.TargetVersion, served);
        var serverFailed = !clientAborted.IsCancellationRequested
            && (deadline?.TimedOut == true || context.Response.StatusCode >= 500 || (result.Failure is not null && !result.Full) || IsServerFailure(grpcStatus));
        attempt.Pool.Traffic.Record(elapsedMs, serverFailed);
        _metrics.Retry(info.Model ?? "", info.Pool!, info.Retries, served);
        if (extras is { ShadowPool: { } shadowTo, Capture: var capture })
        {
            _shadow.Enqueue(new ShadowWork(info.Model!, shadowTo, context.Request.Method, extras.ShadowPath!,
                context.Request.ContentType, context.Request.Headers["Inference-Header-Content-Length"].FirstOrDefault(),
                extras.ShadowBody!.Value.ToArray(), grpc ? GrpcStatusOf(context) : context.Response.StatusCode, capture is { Truncated: false } ? capture.Captured : null, grpc));
        }
    }

    /// <summary>
    /// The synchronous steps between the edge's checks and the attempts: a version rewrite of the path or of the
    /// buffered gRPC frame (<paramref name="body"/> is replaced then), and the rarely used shadow capture and model
    /// filter of the answer (their state is in the returned object, null when neither applies). A method of its own so
    /// its locals are not fields of <see cref="ForwardAsync"/>'s state machine.
    /// </summary>
    private ForwardExtras? Prepare(HttpContext context, GatewayRequestInfo info, GatewayRoute route, string? shadowPool, string? targetVersion, ref ArraySegment<byte>? body)
    {
        var grpc = route.GrpcMethod is not null;
        // The shadow gets the request as the client sent it (before a version rewrite); gRPC: unary ModelInfer only.
        var shadowBody = body;
        var mirror = shadowPool is not null && body is not null && info.Model is not null && (!grpc || route.GrpcMethod == "ModelInfer");
        var shadowPath = mirror ? context.Request.Path + context.Request.QueryString : null;
        if (targetVersion is { } version && string.IsNullOrEmpty(info.Version) && info.Operation == GatewayOperation.Infer)
        {
            if (!grpc)
            {
                if (VersionRewrite.RestPath(context.Request.Path.Value ?? "", version) is { } path)
                {
                    context.Request.Path = path;
                    info.TargetVersion = version;
                }
            }
            else if (route.GrpcMethod == "ModelInfer" && body is { } buffered && VersionRewrite.GrpcFrame(buffered, version) is { } frame)
            {
                body = new ArraySegment<byte>(frame);
                if (context.Request.ContentLength is not null)
                {
                    context.Request.ContentLength = frame.Length;
                }

                info.TargetVersion = version;
            }
        }

        CaptureStream? capture = null;
        var originalResponseBody = context.Response.Body;
        if (mirror)
        {
            capture = new CaptureStream(originalResponseBody, 4 << 20);
            context.Response.Body = capture;
        }

        // A caller limited to some models sees only those in answers that list every model.
        BoundedResponseBuffer? filter = null;
        if (route.Kind == RouteKind.ServerWide && context.Features.Get<Auth.ModelVisibility>() is not null && MetadataFilter.Applies(context, route.GrpcMethod))
        {
            filter = new BoundedResponseBuffer(_pools.Current.Config.Limits.MaxFilteredResponseBytes);
            context.Response.Body = filter;
            context.Request.Headers.Remove("Accept-Encoding");
        }

        return capture is null && filter is null ? null : new ForwardExtras(originalResponseBody, capture, filter, mirror ? shadowPool : null, shadowPath, shadowBody);
    }

    /// <summary>Waits for a replica of a pool scaled to zero; null when the request was answered here (refused, timed out) or its client went away.</summary>
    private async Task<BackendPool?> ActivateAsync(HttpContext context, GatewayRequestInfo info, BackendPool backendPool, long start, RequestDeadline? deadline, CancellationToken clientAborted)
    {
        ActivationResult held;
        try
        {
            held = await _activation.WaitAsync(backendPool.Name, backendPool.Config.Activator!, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            if (deadline?.TimedOut == true)
            {
                context.RequestAborted = clientAborted; // the answer is written under the client's token, not the spent deadline
                await TimedOutAsync(context, info, backendPool, start).ConfigureAwait(false);
            }

            return null; // the client went away (its slot is free), or the request's time ran out while it waited
        }

        if (held.Pool is null)
        {
            var waited = _time.GetElapsedTime(start).TotalMilliseconds;
            LogActivatorRefused(_logger, info.Model ?? "(server)", info.Pool!, held.Message!);
            _metrics.Request(info.Model ?? "", info.Pool!, "", info.Protocol, StatusCodes.Status503ServiceUnavailable, waited);
            backendPool.Traffic.Record(waited, error: true);
            await GatewayErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, GatewayErrors.GrpcUnavailable, held.Message!, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return null;
        }

        return held.Pool;
    }

    /// <summary>The state of a request whose answer is captured for its shadow or filtered for its caller (rare: null otherwise).</summary>
    private sealed record ForwardExtras(Stream OriginalResponseBody, CaptureStream? Capture, BoundedResponseBuffer? Filter, string? ShadowPool, string? ShadowPath, ArraySegment<byte>? ShadowBody);

    /// <summary>Answers a request whose time ran out before it was forwarded (in the activator's queue): 504, counted as a server-side failure.</summary>
    private async Task TimedOutAsync(HttpContext context, GatewayRequestInfo info, BackendPool pool, long start)
    {
        var waited = _time.GetElapsedTime(start).TotalMilliseconds;
        LogTimedOut(_logger, info.Model ?? "(server)", pool.Name, pool.Config.RequestTimeoutMs);
        _metrics.Request(info.Model ?? "", pool.Name, "", info.Protocol, StatusCodes.Status504GatewayTimeout, waited);
        pool.Traffic.Record(waited, error: true);
        await GatewayErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout, GatewayErrors.GrpcDeadlineExceeded, TimeoutMessage(pool)).ConfigureAwait(false);
    }

    private static string TimeoutMessage(BackendPool pool) =>
        string.Create(CultureInfo.InvariantCulture, $"the request took longer than pool '{pool.Name}' allows ({pool.Config.RequestTimeoutMs} ms, requestTimeoutMs)");

    /// <summary>gRPC statuses that mean the server failed the call (not the caller's mistake): UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS.</summary>
    internal static bool IsServerFailure(int grpcStatus) => grpcStatus is 2 or 4 or 13 or 14 or 15;

    /// <summary>The primary answer's <c>grpc-status</c> (headers of a trailers-only answer, else trailers); -1 when absent.</summary>
    private static int GrpcStatusOf(HttpContext context)
    {
        var value = context.Response.Headers["grpc-status"].ToString();
        if (value.Length == 0)
        {
            value = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseTrailersFeature>()?.Trailers?["grpc-status"].ToString() ?? "";
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status) ? status : -1;
    }

    private static string? DefaultPool(GatewayConfig config)
    {
        if (config.Models.TryGetValue("*", out var star))
        {
            return star.PoolReferences("").Select(p => p.Pool).FirstOrDefault();
        }

        return config.Pools.Keys.FirstOrDefault();
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "model {Model}, pool {Pool}: {Failure}")]
    private static partial void LogForwardFailed(ILogger logger, string model, string pool, string failure);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "model {Model}, pool {Pool}: activator refused the request: {Reason}")]
    private static partial void LogActivatorRefused(ILogger logger, string model, string pool, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "model {Model}, pool {Pool}: the request timed out after {TimeoutMs} ms (requestTimeoutMs)")]
    private static partial void LogTimedOut(ILogger logger, string model, string pool, int timeoutMs);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "model {Model} is not routed: the config lists no route for it under 'models' and no '*' route")]
    private static partial void LogUnrouted(ILogger logger, string model);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "pool {Pool}: replica {Replica} ejected for {EjectionMs} ms after consecutive failures")]
    private static partial void LogEjected(ILogger logger, string pool, string replica, int ejectionMs);
}
