using Microsoft.Extensions.Time.Testing;
using Turbine.Gateway.LoadBalancing;

namespace Turbine.Gateway.Tests.LoadBalancing;

public sealed class BalancingPolicyTests
{
    private static List<Replica> Replicas(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new Replica(new Uri($"http://127.0.0.1:{9000 + i}"), null))];

    private static void Load(Replica r, int inFlight)
    {
        for (var i = 0; i < inFlight; i++)
        {
            r.Begin();
        }
    }

    [Fact]
    public void RoundRobin_PicksEachInTurn()
    {
        var replicas = Replicas(3);
        var policy = new RoundRobinPolicy();
        var picks = Enumerable.Range(0, 6).Select(_ => replicas.IndexOf(policy.Pick(replicas))).ToList();
        Assert.Equal([0, 1, 2, 0, 1, 2], picks);
    }

    [Fact]
    public void LeastRequests_PicksFewestInFlight()
    {
        var replicas = Replicas(3);
        Load(replicas[0], 3);
        Load(replicas[1], 1);
        Load(replicas[2], 2);
        Assert.Same(replicas[1], new LeastRequestsPolicy().Pick(replicas));
    }

    [Fact]
    public void PowerOfTwoChoices_NeverPicksTheBusiestOfThree()
    {
        var replicas = Replicas(3);
        Load(replicas[2], 5);
        var policy = new PowerOfTwoChoicesPolicy(new Random(42));
        var counts = new int[3];
        for (var i = 0; i < 300; i++)
        {
            counts[replicas.IndexOf(policy.Pick(replicas))]++;
        }

        // The busiest loses every pair it is drawn in; the other two share the rest.
        Assert.Equal(0, counts[2]);
        Assert.True(counts[0] > 50 && counts[1] > 50, string.Join(",", counts));
    }

    [Fact]
    public void PowerOfTwoChoices_SameSeed_SameSequence()
    {
        var replicas = Replicas(5);
        var a = new PowerOfTwoChoicesPolicy(new Random(7));
        var b = new PowerOfTwoChoicesPolicy(new Random(7));
        Assert.Equal(
            Enumerable.Range(0, 50).Select(_ => a.Pick(replicas).Id),
            Enumerable.Range(0, 50).Select(_ => b.Pick(replicas).Id));
    }

    [Fact]
    public void PeakEwma_AvoidsTheSlowReplica_AndRetriesItAfterDecay()
    {
        var time = new FakeTimeProvider();
        var replicas = Replicas(2);
        var policy = new PeakEwmaPolicy(new Random(1), time);
        var tau = PeakEwmaPolicy.TauTicks(time);
        time.Advance(TimeSpan.FromMilliseconds(10));
        replicas[0].ObserveLatency(200, time.GetTimestamp(), tau);
        replicas[1].ObserveLatency(5, time.GetTimestamp(), tau);
        Assert.All(Enumerable.Range(0, 20), _ => Assert.Same(replicas[1], policy.Pick(replicas)));

        // Peak: one slow sample on the fast replica makes it the expensive one at once.
        time.Advance(TimeSpan.FromMilliseconds(10));
        replicas[1].ObserveLatency(500, time.GetTimestamp(), tau);
        Assert.Same(replicas[0], policy.Pick(replicas));

        // Without samples both averages decay at the same rate: the ordering holds, the values fall.
        var before = replicas[0].EwmaMs(time.GetTimestamp(), tau);
        time.Advance(TimeSpan.FromSeconds(30));
        var after = replicas[0].EwmaMs(time.GetTimestamp(), tau);
        Assert.True(after < before / 10, $"{before} -> {after}");
    }

    [Fact]
    public void PeakEwma_FasterSamples_LowerTheAverageGradually()
    {
        var time = new FakeTimeProvider();
        var r = Replicas(1)[0];
        var tau = PeakEwmaPolicy.TauTicks(time);
        time.Advance(TimeSpan.FromSeconds(1));
        r.ObserveLatency(100, time.GetTimestamp(), tau);
        time.Advance(TimeSpan.FromSeconds(1));
        r.ObserveLatency(10, time.GetTimestamp(), tau);
        var value = r.EwmaMs(time.GetTimestamp(), tau);
        Assert.InRange(value, 10, 100);
    }

    [Fact]
    public void Create_UnknownName_Throws()
    {
        Assert.Throws<ArgumentException>(() => BalancingPolicies.Create("fastest", new Random(1), TimeProvider.System));
        Assert.All(BalancingPolicies.Names, n => Assert.Equal(n, BalancingPolicies.Create(n, new Random(1), TimeProvider.System).Name));
    }
}
