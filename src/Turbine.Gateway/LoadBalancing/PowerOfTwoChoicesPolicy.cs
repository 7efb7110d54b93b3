namespace Turbine.Gateway.LoadBalancing;

/// <summary>Two distinct replicas drawn at random; the one with fewer requests in flight wins (the first on a tie).</summary>
internal sealed class PowerOfTwoChoicesPolicy(Random random) : IBalancingPolicy
{
    private readonly Lock _lock = new();

    public string Name => BalancingPolicies.PowerOfTwoChoices;

    public Replica Pick(IReadOnlyList<Replica> available)
    {
        if (available.Count == 1)
        {
            return available[0];
        }

        var (a, b) = TwoDistinct(random, _lock, available.Count);
        return available[b].Outstanding < available[a].Outstanding ? available[b] : available[a];
    }

    internal static (int A, int B) TwoDistinct(Random random, Lock gate, int count)
    {
        lock (gate)
        {
            var a = random.Next(count);
            var b = random.Next(count - 1);
            return (a, b >= a ? b + 1 : b);
        }
    }
}
