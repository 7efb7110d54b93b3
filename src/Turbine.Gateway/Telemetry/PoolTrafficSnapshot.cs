namespace Turbine.Gateway.Telemetry;

/// <summary>What the gateway observed of one pool: cumulative counters (diff two snapshots for a window) and in-flight counts now.</summary>
/// <param name="Pool">The pool name.</param>
/// <param name="Requests">Requests answered for the pool (any status), since the pool entered the config.</param>
/// <param name="Errors">Of those, answered with a server failure: HTTP 5xx, a gRPC status that means the server failed (UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS), or a transport failure after retries.</param>
/// <param name="LatencyBucketsMs">Upper bounds of the latency buckets, milliseconds, ascending.</param>
/// <param name="LatencyCounts">Requests per bucket: one more entry than the bounds (the overflow bucket).</param>
/// <param name="InFlightByReplica">Requests in flight now per replica, keyed by its REST base URL without a trailing slash.</param>
public sealed record PoolTrafficSnapshot(
    string Pool,
    long Requests,
    long Errors,
    IReadOnlyList<double> LatencyBucketsMs,
    IReadOnlyList<long> LatencyCounts,
    IReadOnlyDictionary<string, int> InFlightByReplica);
