using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Gateway.Proxy;

/// <summary>One request's attempts on the pool's replicas: forwarding, failure classification, retries.</summary>
internal sealed partial class GatewayProxy
{
    // One attempt is BeginAttempt, YARP's SendAsync awaited in ForwardAsync's own loop (with replica.End() in its
    // finally), then EndAttempt: no async frame of its own per request (it was an async method whose state machine
    // box cost ~180 B on every request).

    /// <summary>Picks the replica of the next attempt and prepares the request for it; null (and the failure) when none can take it.</summary>
    private Replica? BeginAttempt(Attempt a, out AttemptResult failure)
    {
        failure = default;
        var replica = a.Pool.Pick(a.Info.Model, a.Grpc, a.Tried, out var full);
        if (replica is null)
        {
            var why = full
                ? $"every replica of pool '{a.Pool.Name}' is at its concurrency limit ({a.Pool.Config.MaxConcurrencyPerReplica} requests in flight)"
                : a.Tried.Count > 0 ? $"no replica of pool '{a.Pool.Name}' could take the request ({a.LastFailure})"
                : $"pool '{a.Pool.Name}' has no replica {(a.Grpc ? "with a gRPC address " : "")}available";
            failure = new AttemptResult(a.Tried.LastOrDefault(), false, full && a.Tried.Count == 0, why);
            return null;
        }

        if (a.Tried.Count > 0)
        {
            a.Context.Response.Headers.Clear();
            a.Context.Response.StatusCode = StatusCodes.Status200OK;
        }

        a.Tried.Add(replica);
        if (a.Body is { } body)
        {
            a.Context.Request.Body = new MemoryStream(body.Array!, body.Offset, body.Count, writable: false);
        }

        var replayable = a.Body is not null && a.Tried.Count < a.Pool.Config.Retry.MaxAttempts;
        a.State.Hold503 = replayable;
        a.State.Held503 = false;
        a.Started = _time.GetTimestamp();
        replica.Begin(); // ended in ForwardAsync's finally around the forwarder's call
        return replica;
    }

    /// <summary>The forwarder's call on <paramref name="replica"/> is over: latency, outlier bookkeeping, and whether to try again.</summary>
    private AttemptResult EndAttempt(Attempt a, Replica replica, ForwarderError error)
    {
        var start = a.Started;
        var now = _time.GetTimestamp();
        var status = a.State.Held503 ? StatusCodes.Status503ServiceUnavailable : a.Context.Response.StatusCode;
        if (error == ForwarderError.None)
        {
            replica.ObserveLatency(_time.GetElapsedTime(start, now).TotalMilliseconds, now, PeakEwmaPolicy.TauTicks(_time));
        }

        var exception = a.Context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var connectFailure = error != ForwarderError.None && IsConnectFailure(exception);
        var failed = connectFailure || (error != ForwarderError.None && error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled))
            || status is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout;
        if (failed)
        {
            if (a.Pool.RecordFailure(replica))
            {
                _metrics.Ejection(a.Pool.Name, replica.Id);
                LogEjected(_logger, a.Pool.Name, replica.Id, a.Pool.Config.Outlier.EjectionMs);
            }
        }
        else
        {
            replica.RecordSuccess();
        }

        if (a.State.Held503)
        {
            a.LastFailure = $"replica {replica.Id} answered 503";
            a.Context.Response.StatusCode = StatusCodes.Status200OK;
            return new AttemptResult(replica, true, false, $"every replica tried answered 503 or failed; last: {a.LastFailure}");
        }

        if (error == ForwarderError.None)
        {
            return new AttemptResult(replica, false, false, null);
        }

        a.LastFailure = $"{replica.Id}: {error}{(exception is null ? "" : ": " + exception.Message)}";
        // A replica killed mid-request surfaces as Request (reading the response) or RequestBodyDestination (writing the
        // buffered body), depending on which side of the socket noticed the reset first; both are before any response.
        var resetBeforeResponse = error is ForwarderError.Request or ForwarderError.RequestBodyDestination && a.Pool.Config.Retry.Idempotent && IsResetBeforeResponse(exception);
        var retryable = (connectFailure || resetBeforeResponse) && !a.Context.Response.HasStarted && a.Body is not null;
        return new AttemptResult(replica, retryable, false,
            a.Context.Response.HasStarted ? null : $"the request could not be forwarded to pool '{a.Pool.Name}': {a.LastFailure}");
    }

    /// <summary>Nothing reached the server: the connection was refused or could not be made.</summary>
    internal static bool IsConnectFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }

            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The connection closed or reset before any response byte arrived (the server may have started processing).</summary>
    internal static bool IsResetBeforeResponse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
            {
                return true;
            }

            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.ConnectionAborted or System.Net.Sockets.SocketError.Shutdown })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// One request's attempts; also its <see cref="ForwardState"/> (the 503 hold the transformer reads) and the replicas
    /// it tried (the first one inline: no list for a request that is not retried).
    /// </summary>
    private sealed class Attempt(HttpContext context, GatewayRequestInfo info, BackendPool pool, bool grpc) : ForwardState, IReadOnlyCollection<Replica>
    {
        /// <summary>The body kept for replays (null: it streams); a field so the proxy can rewrite it in place.</summary>
#pragma warning disable CA1051 // a private nested class's field
        public ArraySegment<byte>? Body;
#pragma warning restore CA1051

        private Replica? _first;
        private List<Replica>? _more;

        public HttpContext Context { get; } = context;

        public GatewayRequestInfo Info { get; } = info;

        /// <summary>The pool the request goes to (the activator may hand over another instance of it).</summary>
        public BackendPool Pool { get; set; } = pool;

        public bool Grpc { get; } = grpc;


        public ForwardState State => this;

        public override ArraySegment<byte>? KeptBody => Body;

        /// <summary>The replicas tried, in order.</summary>
        public Attempt Tried => this;

        public string? LastFailure { get; set; }

        /// <summary>When the current attempt's call to its replica began (a timestamp of the proxy's clock).</summary>
        public long Started { get; set; }

        public int Count => _first is null ? 0 : 1 + (_more?.Count ?? 0);

        public void Add(Replica replica)
        {
            if (_first is null)
            {
                _first = replica;
            }
            else
            {
                (_more ??= []).Add(replica);
            }
        }

        /// <summary>The replica tried last; null before the first attempt.</summary>
        public Replica? LastOrDefault() => _more is { Count: > 0 } more ? more[^1] : _first;

        public IEnumerator<Replica> GetEnumerator()
        {
            if (_first is not null)
            {
                yield return _first;
            }

            if (_more is not null)
            {
                foreach (var replica in _more)
                {
                    yield return replica;
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
