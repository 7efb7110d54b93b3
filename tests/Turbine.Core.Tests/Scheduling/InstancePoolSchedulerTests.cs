using Turbine.Core.Scheduling;
using Turbine.Core.Stats;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// The default scheduler (no dynamic batching): a request runs on the calling thread on the next free instance; the
/// rest wait in FIFO order. The first call is started on the pool because a blocked fake instance blocks its caller.
/// </summary>
public sealed class InstancePoolSchedulerTests
{
    private static InstancePoolScheduler Pool(out ModelStatistics statistics, params FakeModelInstance[] instances)
    {
        statistics = new ModelStatistics(TimeProvider.System);
        return new InstancePoolScheduler(instances, statistics);
    }

    [Fact]
    public async Task ExecuteAsync_MoreRequestsThanInstances_WaitThenRunInArrivalOrder()
    {
        var instance = new FakeModelInstance();
        using var pool = Pool(out var statistics, instance);

        var first = Task.Run(() => pool.ExecuteAsync(Request(1, 0), CancellationToken.None).AsTask());
        await instance.WaitForBatchesAsync(1);
        var second = pool.ExecuteAsync(Request(1, 10), CancellationToken.None);
        await WaitForQueueDepthAsync(pool, 1);
        var third = pool.ExecuteAsync(Request(1, 20), CancellationToken.None);
        await WaitForQueueDepthAsync(pool, 2);

        instance.Release(3);
        Assert.Equal(Values(1, 0), Output((await first).Value!));
        Assert.Equal(Values(1, 10), Output(await OkAsync(second)));
        Assert.Equal(Values(1, 20), Output(await OkAsync(third)));
        Assert.Equal([0, 10, 20], instance.Batches.Select(b => b.Input0[0]));
        Assert.Equal(0, pool.QueueDepth);
        Assert.Equal(3, statistics.Snapshot("m", 1).ExecutionCount);
    }

    [Fact]
    public async Task ExecuteAsync_TwoInstances_RunTwoRequestsAtOnce()
    {
        var a = new FakeModelInstance("m_0");
        var b = new FakeModelInstance("m_1");
        using var pool = Pool(out _, a, b);

        var first = Task.Run(() => pool.ExecuteAsync(Request(1, 0), CancellationToken.None).AsTask());
        var second = Task.Run(() => pool.ExecuteAsync(Request(1, 10), CancellationToken.None).AsTask());
        await a.WaitForBatchesAsync(1);
        await b.WaitForBatchesAsync(1);
        Assert.Equal(0, pool.QueueDepth);

        a.Release();
        b.Release();
        Assert.True((await first).IsOk);
        Assert.True((await second).IsOk);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileWaiting_LeavesTheQueueAndNeverRuns()
    {
        var instance = new FakeModelInstance();
        using var pool = Pool(out _, instance);
        using var cancel = new CancellationTokenSource();

        var running = Task.Run(() => pool.ExecuteAsync(Request(1, 0), CancellationToken.None).AsTask());
        await instance.WaitForBatchesAsync(1);
        var cancelled = pool.ExecuteAsync(Request(1, 10), cancel.Token);
        await WaitForQueueDepthAsync(pool, 1);
        await cancel.CancelAsync();

        var error = await ErrorAsync(cancelled);
        Assert.Equal(StatusCode.Cancelled, error.Code);
        Assert.Contains("waiting for a free instance", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.QueueDepth);

        instance.Release();
        Assert.True((await running).IsOk);
        Assert.Single(instance.Batches);
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutWhileWaiting_IsUnavailableNamingTheLimit()
    {
        var instance = new FakeModelInstance();
        using var pool = Pool(out _, instance);

        var running = Task.Run(() => pool.ExecuteAsync(Request(1, 0), CancellationToken.None).AsTask());
        await instance.WaitForBatchesAsync(1);
        var error = await ErrorAsync(pool.ExecuteAsync(Request(1, 10, timeoutUs: 1000), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Contains("request timeout expired", error.Message, StringComparison.Ordinal);
        Assert.Contains("1000 us", error.Message, StringComparison.Ordinal);
        instance.Release();
        Assert.True((await running).IsOk);
        Assert.Single(instance.Batches);
    }

    private static Task WaitForQueueDepthAsync(IScheduler scheduler, int depth) =>
        Poll.UntilOrFailAsync(() => scheduler.QueueDepth == depth, TimeSpan.FromSeconds(20), () => $"queue depth {scheduler.QueueDepth}, expected {depth}", TimeSpan.FromMilliseconds(5));
}
