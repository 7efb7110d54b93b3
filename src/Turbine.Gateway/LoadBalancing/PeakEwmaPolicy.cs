namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// Peak-EWMA (Finagle, linkerd): cost = latency average × (requests in flight + 1), compared between two replicas
/// drawn at random. The average jumps to a slower sample at once and decays with <see cref="DecayTime"/>, also
/// while a replica is not picked, so an avoided replica is tried again after a while.
/// </summary>
internal sealed class PeakEwmaPolicy(Random random, TimeProvider time) : IBalancingPolicy
{
    /// <summary>Time constant of the average's decay.</summary>
    public static readonly TimeSpan DecayTime = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();

    public string Name => BalancingPolicies.PeakEwma;

    public static double TauTicks(TimeProvider time) => DecayTime.TotalSeconds * time.TimestampFrequency;

    public Replica Pick(IReadOnlyList<Replica> available)
    {
        if (available.Count == 1)
        {
            return available[0];
        }

        var (a, b) = PowerOfTwoChoicesPolicy.TwoDistinct(random, _lock, available.Count);
        var now = time.GetTimestamp();
        var tau = TauTicks(time);
        return Cost(available[b], now, tau) < Cost(available[a], now, tau) ? available[b] : available[a];
    }

    private static double Cost(Replica r, long now, double tau) => r.EwmaMs(now, tau) * (r.Outstanding + 1);
}
