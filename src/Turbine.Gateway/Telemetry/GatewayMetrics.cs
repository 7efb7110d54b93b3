using System.Collections.Concurrent;
using System.Globalization;
using Turbine.Gateway.Configuration;
using Turbine.Protocol.Telemetry;

namespace Turbine.Gateway.Telemetry;

/// <summary>
/// The gateway's counters and latency histograms per route (model), pool and backend, rendered at scrape time in
/// the Prometheus text format (the <see cref="PrometheusText"/> writer of Turbine.Protocol).
/// Names: docs/gateway.md.
/// </summary>
internal sealed class GatewayMetrics(IGatewayConfigSource config)
{
    /// <summary>Label of model names neither routed by name nor ever answered by a server.</summary>
    public const string UnknownModel = "_unknown";

    /// <summary>Label of known models beyond <c>metrics.maxModelLabels</c>.</summary>
    public const string OtherModel = "_other";

    /// <summary>Upper bounds (seconds) of the latency buckets: 1 ms to 10 s.</summary>
    public static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<string, byte> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Model, string Pool, string Version, string Backend, string Protocol, int Code), long[]> _requests = new();
    private readonly ConcurrentDictionary<(string Model, string Pool, string Backend), Histogram> _latency = new();
    private readonly ConcurrentDictionary<(string Model, string Pool), long[]> _retries = new();
    private readonly ConcurrentDictionary<(string Pool, string Backend), long[]> _ejections = new();
    private readonly ConcurrentDictionary<(string Model, string Pool), long[]> _shadow = new(); // requests, errors, differences, dropped
    private readonly ConcurrentDictionary<(string Model, string Pool), Histogram> _shadowLatency = new();
    private readonly ConcurrentDictionary<(string Scope, string Model), long[]> _rateLimited = new();

    /// <summary>
    /// The label value of <paramref name="model"/>: the name itself when its route names it, when a server answered
    /// it successfully (<paramref name="served"/>) or when it already has a label; otherwise <see cref="UnknownModel"/>,
    /// so names an attacker makes up never create series. At most <c>metrics.maxModelLabels</c> names.
    /// </summary>
    public string ModelLabel(string model, bool served = false)
    {
        if (model.Length == 0 || _models.ContainsKey(model))
        {
            return model;
        }

        var current = config.Current;
        if (!served && (model == "*" || !current.Models.ContainsKey(model)))
        {
            return UnknownModel;
        }

        if (_models.Count >= current.Metrics.MaxModelLabels)
        {
            return OtherModel;
        }

        _models.TryAdd(model, 0);
        return model;
    }

    /// <summary>One answered request; <paramref name="version"/> is the model version the traffic policy chose (null = none).</summary>
    public void Request(string model, string pool, string backend, string protocol, int code, double ms, string? version = null, bool served = false)
    {
        model = ModelLabel(model, served);
        Interlocked.Increment(ref _requests.GetOrAdd((model, pool, version ?? "", backend, protocol, code), _ => new long[1])[0]);
        if (backend.Length > 0)
        {
            _latency.GetOrAdd((model, pool, backend), _ => new Histogram(LatencyBuckets)).Observe(ms / 1000);
        }
    }

    /// <summary>Retries of one request, recorded when it has been answered (so a served model keeps its own label).</summary>
    public void Retry(string model, string pool, int count = 1, bool served = false)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _retries.GetOrAdd((ModelLabel(model, served), pool), _ => new long[1])[0], count);
        }
    }

    /// <summary>
    /// A request (or a later message of a gRPC stream) refused by a rate limit: <paramref name="scope"/> is the bucket
    /// that was empty (<c>caller</c> or <c>model</c>); the model label is bounded as everywhere else.
    /// </summary>
    public void RateLimited(string scope, string? model) =>
        Interlocked.Increment(ref _rateLimited.GetOrAdd((scope, model is null ? "" : ModelLabel(model)), _ => new long[1])[0]);

    public void Ejection(string pool, string backend) => Interlocked.Increment(ref _ejections.GetOrAdd((pool, backend), _ => new long[1])[0]);

    public void Shadow(string model, string pool, double? ms, bool error, bool different)
    {
        model = ModelLabel(model);
        var c = _shadow.GetOrAdd((model, pool), _ => new long[4]);
        Interlocked.Increment(ref c[0]);
        if (error)
        {
            Interlocked.Increment(ref c[1]);
        }

        if (different)
        {
            Interlocked.Increment(ref c[2]);
        }

        if (ms is { } latency)
        {
            _shadowLatency.GetOrAdd((model, pool), _ => new Histogram(LatencyBuckets)).Observe(latency / 1000);
        }
    }

    public void ShadowDropped(string model, string pool) => Interlocked.Increment(ref _shadow.GetOrAdd((ModelLabel(model), pool), _ => new long[4])[3]);

    /// <summary>Shadow counters of one model and pool: requests completed, errors, differences, dropped (tests, admin).</summary>
    public (long Requests, long Errors, long Differences, long Dropped) ShadowCounts(string model, string pool) =>
        _shadow.TryGetValue((model, pool), out var c) ? (Volatile.Read(ref c[0]), Volatile.Read(ref c[1]), Volatile.Read(ref c[2]), Volatile.Read(ref c[3])) : default;

    /// <param name="pools">The pools now, for the per-replica health gauges (none written when null).</param>
    /// <param name="activation">The activator, for its held and refused counts (none written when null).</param>
    public string Render(LoadBalancing.PoolSet? pools = null, Activation.GatewayActivation? activation = null)
    {
        var w = new PrometheusText();
        w.Family("turbine_gateway_requests_total", "counter", "Requests answered by the gateway, by model (empty = server-wide), pool, backend (empty = none reached), protocol and status code");
        foreach (var ((model, pool, version, backend, protocol, code), c) in _requests.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
        {
            var codeText = code.ToString(CultureInfo.InvariantCulture);
            if (version.Length == 0)
            {
                w.Sample("turbine_gateway_requests_total", Volatile.Read(ref c[0]), "model", model, "pool", pool, "backend", backend, "protocol", protocol, "code", codeText);
            }
            else
            {
                w.Sample("turbine_gateway_requests_total", Volatile.Read(ref c[0]), "model", model, "pool", pool, "version", version, "backend", backend, "protocol", protocol, "code", codeText);
            }
        }

        WriteHistograms(w, "turbine_gateway_request_duration_seconds", "Time from the gateway receiving a request to the answer's end, per backend that answered", _latency.Select(e => (new[] { "model", e.Key.Model, "pool", e.Key.Pool, "backend", e.Key.Backend }, e.Value)));
        w.Family("turbine_gateway_retries_total", "counter", "Requests retried on another replica (connection refused, or 503 before processing)");
        foreach (var ((model, pool), c) in _retries.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
        {
            w.Sample("turbine_gateway_retries_total", Volatile.Read(ref c[0]), "model", model, "pool", pool);
        }

        w.Family("turbine_gateway_ejections_total", "counter", "Replicas ejected by passive outlier detection");
        foreach (var ((pool, backend), c) in _ejections.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
        {
            w.Sample("turbine_gateway_ejections_total", Volatile.Read(ref c[0]), "pool", pool, "backend", backend);
        }

        var names = new[] { ("turbine_gateway_shadow_requests_total", "Shadow copies completed (answered or failed)"), ("turbine_gateway_shadow_errors_total", "Shadow copies that failed or answered 5xx"), ("turbine_gateway_shadow_differences_total", "Shadow answers whose status or outputs differ from the primary's"), ("turbine_gateway_shadow_dropped_total", "Shadow copies dropped because the shadow queue was full") };
        for (var i = 0; i < names.Length; i++)
        {
            w.Family(names[i].Item1, "counter", names[i].Item2);
            foreach (var ((model, pool), c) in _shadow.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
            {
                w.Sample(names[i].Item1, Volatile.Read(ref c[i]), "model", model, "pool", pool);
            }
        }

        WriteHistograms(w, "turbine_gateway_shadow_duration_seconds", "Latency of shadow copies", _shadowLatency.Select(e => (new[] { "model", e.Key.Model, "pool", e.Key.Pool }, e.Value)));
        w.Family("turbine_gateway_rate_limited_total", "counter", "Requests and stream messages refused by a rate limit (429 / RESOURCE_EXHAUSTED), by the bucket that was empty (caller or model) and model");
        foreach (var ((scope, model), c) in _rateLimited.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
        {
            w.Sample("turbine_gateway_rate_limited_total", Volatile.Read(ref c[0]), "scope", scope, "model", model);
        }

        if (pools is not null)
        {
            w.Family("turbine_gateway_backend_healthy", "gauge", "1 when the replica's last active health check passed, else 0");
            w.Family("turbine_gateway_backend_ejected", "gauge", "1 while passive outlier detection has the replica ejected, else 0");
            w.Family("turbine_gateway_backend_in_flight", "gauge", "Requests the gateway has in flight to the replica");
            foreach (var pool in pools.All.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                foreach (var replica in pool.Replicas)
                {
                    w.Sample("turbine_gateway_backend_healthy", replica.Healthy ? 1 : 0, "pool", pool.Name, "backend", replica.Id);
                    w.Sample("turbine_gateway_backend_ejected", pool.IsEjected(replica) ? 1 : 0, "pool", pool.Name, "backend", replica.Id);
                    w.Sample("turbine_gateway_backend_in_flight", replica.Outstanding, "pool", pool.Name, "backend", replica.Id);
                }
            }
        }

        activation?.Write(w);
        ProcessMetrics.Write(w);
        return w.ToString();
    }

    private static void WriteHistograms(PrometheusText w, string name, string help, IEnumerable<(string[] Labels, Histogram Histogram)> series)
    {
        w.Family(name, "histogram", help);
        foreach (var (labels, h) in series.OrderBy(s => string.Join(',', s.Labels), StringComparer.Ordinal))
        {
            w.Histogram(name, h.Snapshot(), labels);
        }
    }
}
