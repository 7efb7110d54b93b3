using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// The pools of one config snapshot. Built on every reload; a replica that stays listed in the same pool keeps its
/// state (in-flight count, latency average, health, ejection), and a kept pool its traffic counters, through the previous snapshot passed to the constructor.
/// </summary>
internal sealed class PoolSet
{
    private readonly Dictionary<string, BackendPool> _pools;

    public PoolSet(GatewayConfig config, PoolSet? previous, Func<Random> randomFactory, TimeProvider time)
    {
        Config = config;
        _pools = new Dictionary<string, BackendPool>(StringComparer.Ordinal);
        foreach (var (name, pc) in config.Pools)
        {
            var old = previous?._pools.GetValueOrDefault(name);
            var replicas = new List<Replica>();
            foreach (var rc in pc.Replicas)
            {
                var http = new Uri(rc.Http!);
                var grpc = rc.Grpc is null ? null : new Uri(rc.Grpc);
                var kept = old?.Replicas.FirstOrDefault(r => r.Http == http && r.Grpc == grpc);
                replicas.Add(kept ?? new Replica(http, grpc));
            }

            var policy = old is not null && old.Config.Policy == pc.Policy ? old.Policy : BalancingPolicies.Create(pc.Policy, randomFactory(), time);
            var budget = old is not null && old.Config.Retry == pc.Retry ? old.Budget : new RetryBudget(pc.Retry.BudgetPercent, pc.Retry.MinRetriesPerSecond, time);
            _pools[name] = new BackendPool(name, pc, replicas, policy, budget, time, old?.Traffic);
        }
    }

    public GatewayConfig Config { get; }

    public IEnumerable<BackendPool> All => _pools.Values;

    public BackendPool? Get(string name) => _pools.GetValueOrDefault(name);

    /// <summary>Models whose routes name <paramref name="pool"/> (for per-model readiness checks); <c>*</c> excluded.</summary>
    public IEnumerable<string> ModelsOf(string pool) =>
        Config.Models.Where(m => m.Key != "*" && m.Value.PoolReferences("").Any(p => p.Pool == pool)).Select(m => m.Key);
}
