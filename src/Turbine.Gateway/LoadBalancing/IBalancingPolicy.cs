namespace Turbine.Gateway.LoadBalancing;

/// <summary>A named load-balancing policy: picks one replica among the available ones (never empty).</summary>
internal interface IBalancingPolicy
{
    string Name { get; }

    Replica Pick(IReadOnlyList<Replica> available);
}
