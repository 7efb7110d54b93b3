namespace Turbine.Gateway.LoadBalancing;

/// <summary>The replica with the fewest requests in flight from this gateway (the first one on a tie).</summary>
internal sealed class LeastRequestsPolicy : IBalancingPolicy
{
    public string Name => BalancingPolicies.LeastRequests;

    public Replica Pick(IReadOnlyList<Replica> available)
    {
        var best = available[0];
        for (var i = 1; i < available.Count; i++)
        {
            if (available[i].Outstanding < best.Outstanding)
            {
                best = available[i];
            }
        }

        return best;
    }
}
