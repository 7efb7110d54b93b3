using Turbine.Gateway.LoadBalancing;

namespace Turbine.Gateway.Telemetry;

/// <summary>
/// Per-pool traffic as a controller reads it: requests, errors and a latency histogram (cumulative, recorded without
/// allocating on the request path) and requests in flight per replica. Only a snapshot allocates.
/// </summary>
public sealed class GatewayTrafficStats
{
    private readonly PoolRegistry _pools;

    internal GatewayTrafficStats(PoolRegistry pools) => _pools = pools;

    /// <summary>Upper bounds of the latency buckets, milliseconds (fixed; the same for every pool).</summary>
    public static IReadOnlyList<double> LatencyBucketsMs { get; } = Array.AsReadOnly(PoolTraffic.BucketsMs);

    /// <summary>The pools of the current config.</summary>
    public IReadOnlyList<string> Pools => _pools.Current.All.Select(p => p.Name).ToList();

    /// <summary>A snapshot of <paramref name="pool"/>, or null when the current config has no such pool.</summary>
    /// <param name="pool">The pool name.</param>
    public PoolTrafficSnapshot? Snapshot(string pool)
    {
        if (_pools.Current.Get(pool) is not { } p)
        {
            return null;
        }

        var inFlight = new Dictionary<string, int>(p.Replicas.Count, StringComparer.Ordinal);
        foreach (var r in p.Replicas)
        {
            inFlight[r.Id] = inFlight.GetValueOrDefault(r.Id) + r.Outstanding;
        }

        // The reverse of PoolTraffic.Record's order, so a concurrent request never makes errors > requests > buckets.
        var errors = p.Traffic.Errors;
        var requests = p.Traffic.Requests;
        return new PoolTrafficSnapshot(p.Name, requests, errors, LatencyBucketsMs, p.Traffic.Counts(), inFlight);
    }
}
