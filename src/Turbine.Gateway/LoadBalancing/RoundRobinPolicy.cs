namespace Turbine.Gateway.LoadBalancing;

/// <summary>Each available replica in turn; blind to load and latency.</summary>
internal sealed class RoundRobinPolicy : IBalancingPolicy
{
    private int _next = -1;

    public string Name => BalancingPolicies.RoundRobin;

    public Replica Pick(IReadOnlyList<Replica> available)
    {
        var n = (uint)Interlocked.Increment(ref _next);
        return available[(int)(n % (uint)available.Count)];
    }
}
