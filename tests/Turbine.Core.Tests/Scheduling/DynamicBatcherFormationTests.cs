using Microsoft.Extensions.Time.Testing;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>How the dynamic batcher forms batches: preferred sizes, max_batch_size, request batches, the delay.</summary>
public sealed class DynamicBatcherFormationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_PreferredFourAndEightWithFiveQueued_RunsFourThenOne()
    {
        var instance = new FakeModelInstance { RunFreely = true };
        using var batcher = Batcher(ModelWith(8, Batching(preferred: [4, 8], delayUs: 100)), _time, out var statistics, instance);

        var pending = Enumerable.Range(0, 5).Select(i => batcher.ExecuteAsync(Request(1, i * 10), CancellationToken.None)).ToList();
        await instance.WaitForBatchesAsync(1);
        Assert.Equal(1, batcher.QueueDepth);
        _time.Advance(TimeSpan.FromMicroseconds(100));
        await instance.WaitForBatchesAsync(2);

        Assert.Equal([4L, 1L], instance.Batches.Select(b => b.Size));
        for (var i = 0; i < 5; i++)
        {
            var result = await OkAsync(pending[i]);
            Assert.Equal(Values(1, i * 10), Output(result));
            Assert.Equal([1L, Width], result.Result.Outputs[0].Shape);
        }

        var snapshot = statistics.Snapshot("fake", 1);
        Assert.Equal(2, snapshot.ExecutionCount);
        Assert.Equal([1L, 4L], snapshot.BatchStats.Select(b => b.BatchSize));
        Assert.All(snapshot.BatchStats, b => Assert.Equal(1, b.ComputeInfer.Count));
    }

    [Fact]
    public async Task ExecuteAsync_MoreQueuedThanMaxBatchSize_CapsEachBatchAtMax()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(4, Batching()), _time, out _, instance);

        var first = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var queued = Enumerable.Range(1, 6).Select(i => batcher.ExecuteAsync(Request(1, i * 10), CancellationToken.None)).ToList();
        Assert.Equal(6, batcher.QueueDepth);
        instance.Release(3);
        await instance.WaitForBatchesAsync(3);

        Assert.Equal([1L, 4L, 2L], instance.Batches.Select(b => b.Size));
        await OkAsync(first);
        for (var i = 0; i < queued.Count; i++)
        {
            Assert.Equal(Values(1, (i + 1) * 10), Output(await OkAsync(queued[i])));
        }
    }

    [Fact]
    public async Task ExecuteAsync_RequestsCarryingOwnBatch_CombinedWholeAndSplitBack()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(8, Batching()), _time, out _, instance);

        var blocker = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var four = batcher.ExecuteAsync(Request(4, 100, outputs: ["OUTPUT0", "OUTPUT1"]), CancellationToken.None);
        var one = batcher.ExecuteAsync(Request(1, 200, outputs: ["OUTPUT1"]), CancellationToken.None);
        var two = batcher.ExecuteAsync(Request(2, 300), CancellationToken.None);
        var three = batcher.ExecuteAsync(Request(3, 400), CancellationToken.None);
        instance.Release(3);
        await instance.WaitForBatchesAsync(3);

        // 4 + 1 + 2 = 7; adding 3 would pass max_batch_size 8, so that request waits for the next batch.
        var batches = instance.Batches.ToArray();
        Assert.Equal([1L, 7L, 3L], batches.Select(b => b.Size));
        Assert.Equal([.. Values(4, 100), .. Values(1, 200), .. Values(2, 300)], batches[1].Input0);
        Assert.Equal(["OUTPUT0", "OUTPUT1"], batches[1].OutputNames);
        await OkAsync(blocker);
        var fourResult = await OkAsync(four);
        Assert.Equal(Values(4, 100), Output(fourResult));
        Assert.Equal(Values(4, 100).Select(v => -v), Output(fourResult, "OUTPUT1"));
        Assert.Equal([4L, Width], fourResult.Result.Outputs[0].Shape);
        var oneResult = await OkAsync(one);
        Assert.Equal("OUTPUT1", Assert.Single(oneResult.Result.Outputs).Name);
        Assert.Equal(Values(1, 200).Select(v => -v), Output(oneResult, "OUTPUT1"));
        Assert.Equal(Values(2, 300), Output(await OkAsync(two)));
        Assert.Equal(Values(3, 400), Output(await OkAsync(three)));
    }

    [Fact]
    public async Task ExecuteAsync_DifferentItemShapes_RunInSeparateBatchesInOrder()
    {
        var instance = new FakeModelInstance();
        using var batcher = Batcher(ModelWith(8, Batching()), _time, out _, instance);

        var blocker = batcher.ExecuteAsync(Request(1, 0), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var narrow = batcher.ExecuteAsync(Request(1, 10, width: 2), CancellationToken.None);
        var wide = batcher.ExecuteAsync(Request(1, 20, width: 3), CancellationToken.None);
        var narrowAgain = batcher.ExecuteAsync(Request(1, 30, width: 2), CancellationToken.None);
        instance.Release(4);
        await instance.WaitForBatchesAsync(4);

        Assert.Equal([0, 10, 20, 30], instance.Batches.Select(b => b.Input0[0]));
        await OkAsync(blocker);
        Assert.Equal(Values(1, 20, width: 3), Output(await OkAsync(wide)));
        Assert.Equal(Values(1, 10), Output(await OkAsync(narrow)));
        Assert.Equal(Values(1, 30), Output(await OkAsync(narrowAgain)));
    }

    [Fact]
    public async Task ExecuteAsync_PartialBatch_HeldUntilOldestWaitedTheDelay()
    {
        var instance = new FakeModelInstance { RunFreely = true };
        using var batcher = Batcher(ModelWith(8, Batching(preferred: [4], delayUs: 500)), _time, out _, instance);

        var a = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(300));
        var b = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None);
        _time.Advance(TimeSpan.FromMicroseconds(199));
        Assert.Equal(2, batcher.QueueDepth);
        Assert.Empty(instance.Batches);

        _time.Advance(TimeSpan.FromMicroseconds(1));
        Assert.Equal(0, batcher.QueueDepth);
        await instance.WaitForBatchesAsync(1);
        Assert.Equal(2, Assert.Single(instance.Batches).Size);
        Assert.Equal(Values(1, 10), Output(await OkAsync(a)));
        var second = await OkAsync(b);
        Assert.Equal(Values(1, 20), Output(second));
        Assert.Equal(200_000, second.QueueNs);
    }

    [Fact]
    public async Task ExecuteAsync_ZeroDelay_RunsWhatIsQueuedAtOnce()
    {
        var instance = new FakeModelInstance { RunFreely = true };
        using var batcher = Batcher(ModelWith(8, Batching(preferred: [4], delayUs: 0)), _time, out _, instance);

        var result = await OkAsync(batcher.ExecuteAsync(Request(1, 5), CancellationToken.None));

        Assert.Equal(Values(1, 5), Output(result));
        Assert.Equal(1, Assert.Single(instance.Batches).Size);
        Assert.Equal(0, result.QueueNs);
    }

    [Fact]
    public async Task ExecuteAsync_TwoInstances_RunBatchesConcurrently()
    {
        var first = new FakeModelInstance("fake_0");
        var second = new FakeModelInstance("fake_1");
        using var batcher = Batcher(ModelWith(1, Batching()), _time, out _, first, second);

        var a = batcher.ExecuteAsync(Request(1, 10), CancellationToken.None);
        var b = batcher.ExecuteAsync(Request(1, 20), CancellationToken.None);
        await first.WaitForBatchesAsync(1);
        await second.WaitForBatchesAsync(1);
        first.Release();
        second.Release();

        Assert.Equal(10, Assert.Single(first.Batches).Input0[0]);
        Assert.Equal(20, Assert.Single(second.Batches).Input0[0]);
        Assert.Equal(Values(1, 10), Output(await OkAsync(a)));
        Assert.Equal(Values(1, 20), Output(await OkAsync(b)));
    }
}
