using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Priority levels, queue policies, preserve_ordering, cancellation and disposal of the dynamic batcher.</summary>
public sealed class DynamicBatcherQueueTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_PriorityLevels_HighestLevelRunsFirstThenFifo()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(1, Batching(priorityLevels: 2, defaultLevel: 2)), _time, out _, instance);

        var blocker = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var low = batcher.ExecuteAsync(Request(1, 10, priority: 2), CancellationToken.None);
        var byDefault = batcher.ExecuteAsync(Request(1, 20, priority: 0), CancellationToken.None);
        var high = batcher.ExecuteAsync(Request(1, 30, priority: 1), CancellationToken.None);
        instance.Release(4);
        await instance.WaitForBatchesAsync(4);

        Assert.Equal([0, 30, 10, 20], instance.Batches.Select(b => b.Input0[0]));
        await Task.WhenAll(OkAsync(blocker), OkAsync(low), OkAsync(byDefault), OkAsync(high));
    }

    [Fact]
    public async Task ExecuteAsync_PriorityAboveLevels_InvalidArgumentNamingRange()
    {
        using var batcher = Batcher(ModelWith(4, Batching(priorityLevels: 2, defaultLevel: 1)), _time, out _, new FakeModelInstance());

        var error = await ErrorAsync(batcher.ExecuteAsync(Request(1, 0, priority: 3), CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Contains("request priority 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("1..2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_MaxQueueSizeReached_RejectsUnavailable()
    {
        var instance = new FakeModelInstance();
        var policy = new ModelQueuePolicy { MaxQueueSize = 1 };
        using var batcher = Batcher(ModelWith(1, Batching(queuePolicy: policy)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var queued = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None);
        var error = await ErrorAsync(batcher.ExecuteAsync(Request(1, 20), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal("queue of priority level 1 is full (max_queue_size 1)", error.Message);
        instance.Release(2);
        await OkAsync(running);
        Assert.Equal(Values(1, 10), Output(await OkAsync(queued)));
    }

    [Fact]
    public async Task ExecuteAsync_LevelPolicyOverridesDefault_OnlyThatLevelLimited()
    {
        var instance = new FakeModelInstance();
        var levels = ImmutableDictionary<ulong, ModelQueuePolicy>.Empty.Add(2, new ModelQueuePolicy { MaxQueueSize = 1 });
        using var batcher = Batcher(ModelWith(1, Batching(priorityLevels: 2, defaultLevel: 1, levelPolicies: levels)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var high = new[] { batcher.ExecuteAsync(Request(1, 10, priority: 1), CancellationToken.None), batcher.ExecuteAsync(Request(1, 11, priority: 1), CancellationToken.None) };
        var low = batcher.ExecuteAsync(Request(1, 20, priority: 2), CancellationToken.None);
        var error = await ErrorAsync(batcher.ExecuteAsync(Request(1, 21, priority: 2), CancellationToken.None));

        Assert.Equal("queue of priority level 2 is full (max_queue_size 1)", error.Message);
        Assert.Equal(3, batcher.QueueDepth);
        instance.Release(4);
        await Task.WhenAll(OkAsync(running), OkAsync(high[0]), OkAsync(high[1]), OkAsync(low));
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutReject_ExpiredRequestAnsweredUnavailable()
    {
        var instance = new FakeModelInstance();
        var policy = new ModelQueuePolicy { TimeoutAction = TimeoutAction.Reject, DefaultTimeoutMicroseconds = 50 };
        using var batcher = Batcher(ModelWith(1, Batching(queuePolicy: policy)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var waiting = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(49));
        Assert.Equal(1, batcher.QueueDepth);
        _time.Advance(TimeSpan.FromMicroseconds(1));

        var error = await ErrorAsync(waiting);
        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal("request timed out in the queue after 50 us", error.Message);
        Assert.Equal(0, batcher.QueueDepth);
        instance.Release();
        await OkAsync(running);
        Assert.Single(instance.Batches);
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutDelay_ExpiredRequestRunsAfterOthers()
    {
        var instance = new FakeModelInstance();
        var policy = new ModelQueuePolicy { TimeoutAction = TimeoutAction.Delay, DefaultTimeoutMicroseconds = 50 };
        using var batcher = Batcher(ModelWith(1, Batching(queuePolicy: policy)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var expired = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(60));
        var fresh = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None);
        instance.Release(3);
        await instance.WaitForBatchesAsync(3);

        Assert.Equal([0, 20, 10], instance.Batches.Select(b => b.Input0[0]));
        await OkAsync(running);
        Assert.Equal(Values(1, 10), Output(await OkAsync(expired)));
        Assert.Equal(Values(1, 20), Output(await OkAsync(fresh)));
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutOverrideAllowed_RequestTimeoutApplies()
    {
        var instance = new FakeModelInstance();
        var policy = new ModelQueuePolicy { AllowTimeoutOverride = true, DefaultTimeoutMicroseconds = 1000 };
        using var batcher = Batcher(ModelWith(1, Batching(queuePolicy: policy)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var waiting = batcher.ExecuteAsync(Request(1, 10, timeoutUs: 30), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(30));

        Assert.Equal("request timed out in the queue after 30 us", (await ErrorAsync(waiting)).Message);
        instance.Release();
        await OkAsync(running);
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutOverrideNotAllowed_RequestTimeoutIgnored()
    {
        var instance = new FakeModelInstance();
        var policy = new ModelQueuePolicy { AllowTimeoutOverride = false };
        using var batcher = Batcher(ModelWith(1, Batching(queuePolicy: policy)), _time, out _, instance);

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var waiting = batcher.ExecuteAsync(Request(1, 10, timeoutUs: 30), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(1000));

        Assert.Equal(1, batcher.QueueDepth);
        instance.Release(2);
        await OkAsync(running);
        Assert.Equal(Values(1, 10), Output(await OkAsync(waiting)));
    }

    [Fact]
    public async Task ExecuteAsync_PreserveOrdering_LaterResponseWaitsForEarlier()
    {
        var first = new FakeModelInstance("fake_0");
        var second = new FakeModelInstance("fake_1");
        using var batcher = Batcher(ModelWith(1, Batching(preserveOrdering: true)), _time, out _, first, second);

        var early = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None).AsTask();
        var late = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None).AsTask();
        await first.WaitForBatchesAsync(1);
        await second.WaitForBatchesAsync(1);
        var next = batcher.ExecuteAsync(Request(1, 30), CancellationToken.None).AsTask();
        second.Release();
        // The second instance takes the next request only after it finished the late one.
        await second.WaitForBatchesAsync(2);

        Assert.False(late.IsCompleted);
        first.Release();
        second.Release();
        Assert.Equal(Values(1, 10), Output(await OkAsync(new(early))));
        Assert.Equal(Values(1, 20), Output(await OkAsync(new(late))));
        Assert.Equal(Values(1, 30), Output(await OkAsync(new(next))));
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileQueued_RemovedAndAnsweredCancelled()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(4, Batching()), _time, out _, instance);
        using var cancel = new CancellationTokenSource();

        var running = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var cancelled = batcher.ExecuteAsync(Request(1, 10), cancel.Token);
        var kept = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None);
        await cancel.CancelAsync();

        Assert.Equal(StatusCode.Cancelled, (await ErrorAsync(cancelled)).Code);
        Assert.Equal(1, batcher.QueueDepth);
        instance.Release(2);
        await instance.WaitForBatchesAsync(2);
        await OkAsync(running);
        Assert.Equal(Values(1, 20), Output(await OkAsync(kept)));
        Assert.Equal(Values(1, 20), instance.Batches.Last().Input0);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileRunning_OthersInBatchStillAnswered()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(4, Batching(preferred: [2], delayUs: 1000)), _time, out _, instance);
        using var cancel = new CancellationTokenSource();

        var cancelled = batcher.ExecuteAsync(Request(1, 10), cancel.Token);
        var kept = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        await cancel.CancelAsync();
        instance.Release();

        Assert.Equal(2, Assert.Single(instance.Batches).Size);
        Assert.Equal(StatusCode.Cancelled, (await ErrorAsync(cancelled)).Code);
        Assert.Equal(Values(1, 20), Output(await OkAsync(kept)));
    }

    [Fact]
    public async Task Dispose_AfterRequests_DisposesInstances()
    {
        var instance = new FakeModelInstance { RunFreely = true };
        var batcher = Batcher(ModelWith(4, Batching()), _time, out var statistics, instance);
        await OkAsync(batcher.ExecuteAsync(Request(2, 0), CancellationToken.None));

        batcher.Dispose();

        Assert.True(instance.Disposed);
        var snapshot = statistics.Snapshot("fake", 1);
        Assert.Equal(1, snapshot.ExecutionCount);
        Assert.Equal(2, Assert.Single(snapshot.BatchStats).BatchSize);
    }
}
