using Microsoft.Extensions.Time.Testing;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;

namespace Turbine.Gateway.Tests.LoadBalancing;

public sealed class BackendPoolTests
{
    private static (BackendPool Pool, FakeTimeProvider Time) Pool(int replicas, int maxConcurrency = 0, int failures = 2, int ejectionMs = 1000, bool grpcOnFirst = false)
    {
        var time = new FakeTimeProvider();
        var config = new PoolConfig
        {
            Policy = BalancingPolicies.RoundRobin,
            MaxConcurrencyPerReplica = maxConcurrency,
            Outlier = new OutlierConfig { ConsecutiveFailures = failures, EjectionMs = ejectionMs, MaxEjectionPercent = 50 },
        };
        var list = Enumerable.Range(0, replicas)
            .Select(i => new Replica(new Uri($"http://127.0.0.1:{9000 + i}"), grpcOnFirst && i == 0 ? new Uri("http://127.0.0.1:9500") : null))
            .ToList();
        return (new BackendPool("p", config, list, new RoundRobinPolicy(), new RetryBudget(20, 1, time), time), time);
    }

    [Fact]
    public void RecordFailure_StreakEjects_ThenReadmittedAfterThePeriod()
    {
        var (pool, time) = Pool(3);
        var bad = pool.Replicas[0];
        Assert.False(pool.RecordFailure(bad));
        Assert.True(pool.RecordFailure(bad));
        Assert.DoesNotContain(bad, Enumerable.Range(0, 10).Select(_ => pool.Pick(null, false, null, out bool _)));

        time.Advance(TimeSpan.FromMilliseconds(1001));
        Assert.Contains(bad, Enumerable.Range(0, 10).Select(_ => pool.Pick(null, false, null, out bool _)));
    }

    [Fact]
    public void RecordFailure_SuccessInBetween_ResetsTheStreak()
    {
        var (pool, _) = Pool(3);
        var r = pool.Replicas[0];
        Assert.False(pool.RecordFailure(r));
        r.RecordSuccess();
        Assert.False(pool.RecordFailure(r));
    }

    [Fact]
    public void RecordFailure_CapReached_DoesNotEjectMore()
    {
        var (pool, _) = Pool(2, failures: 1);
        Assert.True(pool.RecordFailure(pool.Replicas[0]));
        Assert.False(pool.RecordFailure(pool.Replicas[1])); // 50 % of 2 = 1 already out
    }

    [Fact]
    public void Pick_AllAtConcurrencyLimit_ReportsFull()
    {
        var (pool, _) = Pool(2, maxConcurrency: 1);
        pool.Replicas[0].Begin();
        Assert.Same(pool.Replicas[1], pool.Pick(null, false, null, out var full));
        Assert.False(full);
        pool.Replicas[1].Begin();
        Assert.Null(pool.Pick(null, false, null, out full));
        Assert.True(full);
    }

    [Fact]
    public void Pick_UnhealthyOrModelNotReady_SkippedWhileAnotherIsUsable()
    {
        var (pool, _) = Pool(3);
        pool.Replicas[0].Healthy = false;
        pool.Replicas[1].SetModelReadiness(new Dictionary<string, bool> { ["simple"] = false });
        Assert.All(Enumerable.Range(0, 6), _ => Assert.Same(pool.Replicas[2], pool.Pick("simple", false, null, out bool _)));
        Assert.Contains(pool.Replicas[1], Enumerable.Range(0, 6).Select(_ => pool.Pick("iris", false, null, out bool _)));
    }

    [Fact]
    public void Pick_EveryReplicaUnhealthy_FallsBackToThemRatherThanFail()
    {
        var (pool, _) = Pool(2);
        pool.Replicas[0].Healthy = false;
        pool.Replicas[1].Healthy = false;
        Assert.NotNull(pool.Pick(null, false, null, out _));
        Assert.False(pool.HasAvailable());
    }

    [Fact]
    public void Pick_Grpc_OnlyReplicasWithAGrpcAddress_AndExcludedSkipped()
    {
        var (pool, _) = Pool(3, grpcOnFirst: true);
        Assert.Same(pool.Replicas[0], pool.Pick(null, true, null, out _));
        Assert.Null(pool.Pick(null, true, [pool.Replicas[0]], out var full));
        Assert.False(full);
    }

    [Fact]
    public void RetryBudget_SpentThenRefilledByRequestsAndTime()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(percent: 50, minPerSecond: 1, time);
        var granted = 0;
        while (budget.TryRetry())
        {
            granted++;
        }

        Assert.Equal(10, granted); // starts with ten seconds' worth
        budget.OnRequest();
        Assert.False(budget.TryRetry()); // half a token
        budget.OnRequest();
        Assert.True(budget.TryRetry());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(budget.TryRetry());
        Assert.True(budget.TryRetry());
        Assert.False(budget.TryRetry());
    }
}
