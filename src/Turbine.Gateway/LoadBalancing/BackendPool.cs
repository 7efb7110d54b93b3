using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// A pool as the request path sees it: its replicas, its policy and retry budget, and the availability rules
/// (active health, model readiness, outlier ejection, concurrency limit, gRPC address present).
/// </summary>
internal sealed class BackendPool
{
    private readonly TimeProvider _time;

    public BackendPool(string name, PoolConfig config, IReadOnlyList<Replica> replicas, IBalancingPolicy policy, RetryBudget budget, TimeProvider time, PoolTraffic? traffic = null)
    {
        Traffic = traffic ?? new PoolTraffic();
        Name = name;
        Config = config;
        Replicas = replicas;
        Policy = policy;
        Budget = budget;
        _time = time;
    }

    public string Name { get; }

    public PoolConfig Config { get; }

    public IReadOnlyList<Replica> Replicas { get; }

    public IBalancingPolicy Policy { get; }

    public RetryBudget Budget { get; }

    /// <summary>Cumulative request, error and latency counters (kept while the pool stays in the config).</summary>
    public PoolTraffic Traffic { get; }

    /// <summary>No replica now, and an activator to hold requests until one is added.</summary>
    public bool Activates => Replicas.Count == 0 && Config.Activator is not null;

    /// <summary>Picks a replica for <paramref name="model"/> not in <paramref name="exclude"/>.</summary>
    /// <returns>The replica, or null with <paramref name="full"/> true when every otherwise usable replica is at its concurrency limit.</returns>
    public Replica? Pick(string? model, bool grpc, IReadOnlyCollection<Replica>? exclude, out bool full)
    {
        full = false;
        var now = _time.GetTimestamp();
        var limit = Config.MaxConcurrencyPerReplica;
        var atLimit = 0;
        var healthy = 0;
        var fallback = 0;
        var replicas = Replicas;
        for (var i = 0; i < replicas.Count; i++) // indexed: foreach over the interface would allocate an enumerator
        {
            switch (Classify(replicas[i], model, grpc, exclude, limit, now))
            {
                case Usable.Healthy: healthy++; break;
                case Usable.Fallback: fallback++; break;
                case Usable.AtLimit: atLimit++; break;
            }
        }

        if (healthy == replicas.Count)
        {
            // The usual case (every replica healthy, none tried yet): pick from the list as it is, allocating nothing.
            return Policy.Pick(replicas);
        }

        // Every replica unhealthy: try them anyway (the checks may lag) rather than fail for sure.
        var wanted = healthy > 0 ? Usable.Healthy : Usable.Fallback;
        var count = healthy > 0 ? healthy : fallback;
        if (count == 0)
        {
            full = atLimit > 0;
            return null;
        }

        var candidates = new Replica[count];
        var n = 0;
        for (var i = 0; i < replicas.Count; i++)
        {
            if (Classify(replicas[i], model, grpc, exclude, limit, now) == wanted && n < count)
            {
                candidates[n++] = replicas[i];
            }
        }

        return Policy.Pick(n == count ? candidates : candidates[..n]);
    }

    private enum Usable
    {
        No,
        AtLimit,
        Healthy,
        Fallback,
    }

    private static Usable Classify(Replica r, string? model, bool grpc, IReadOnlyCollection<Replica>? exclude, int limit, long now)
    {
        if ((grpc && r.Grpc is null) || (exclude is not null && exclude.Count > 0 && exclude.Contains(r)))
        {
            return Usable.No;
        }

        if (limit > 0 && r.Outstanding >= limit)
        {
            return Usable.AtLimit;
        }

        return r.Healthy && r.IsModelReady(model) && !r.IsEjected(now) ? Usable.Healthy : Usable.Fallback;
    }

    /// <summary>Whether <paramref name="replica"/> is ejected by passive outlier detection now.</summary>
    public bool IsEjected(Replica replica) => replica.IsEjected(_time.GetTimestamp());

    /// <summary>True when some replica is usable now, or the activator holds requests for one (for the gateway's own readiness).</summary>
    public bool HasAvailable()
    {
        if (Activates)
        {
            return true;
        }

        var now = _time.GetTimestamp();
        return Replicas.Any(r => r.Healthy && !r.IsEjected(now));
    }

    /// <summary>Passive outlier detection: counts a failure, ejects after the configured streak within the pool's cap.</summary>
    public bool RecordFailure(Replica replica)
    {
        var now = _time.GetTimestamp();
        var o = Config.Outlier;
        var ejectFor = (long)(o.EjectionMs / 1000.0 * _time.TimestampFrequency);
        return replica.RecordFailure(now, o.ConsecutiveFailures, ejectFor, () =>
        {
            var ejected = Replicas.Count(r => r.IsEjected(now));
            var cap = Math.Max(1, Replicas.Count * o.MaxEjectionPercent / 100);
            return o.MaxEjectionPercent > 0 && ejected < cap;
        });
    }
}
