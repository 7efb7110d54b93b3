using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;
using static Turbine.Core.Tests.Scheduling.SequenceTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Routing, state carry-over, control inputs and batching of the sequence batcher.</summary>
public sealed class SequenceBatcherTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_OneSequence_RunsInOrderAndCarriesState()
    {
        var instance = new FakeStatefulInstance();
        using var batcher = Batcher(Stateful(), _time, out _, instance);

        Assert.Equal(1, await RunAsync(batcher, Step(7, 1, start: true)));
        Assert.Equal(3, await RunAsync(batcher, Step(7, 2)));
        Assert.Equal(6, await RunAsync(batcher, Step(7, 3, end: true)));

        Assert.Equal([0.0, 1, 3], instance.Batches.Select(b => b.Values["STATE_IN"][0]));
        Assert.All(instance.Batches, b => Assert.Contains("STATE_OUT", b.OutputNames));
        Assert.Equal(0, batcher.ActiveSequences);
    }

    [Fact]
    public async Task ExecuteAsync_TwoSequencesInterleaved_KeepSeparateState()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());

        Assert.Equal(1, await RunAsync(batcher, Step(1, 1, start: true)));
        Assert.Equal(10, await RunAsync(batcher, Step(2, 10, start: true)));
        Assert.Equal(3, await RunAsync(batcher, Step(1, 2)));
        Assert.Equal(30, await RunAsync(batcher, Step(2, 20)));
        Assert.Equal(60, await RunAsync(batcher, Step(2, 30, end: true)));
        Assert.Equal(6, await RunAsync(batcher, Step(1, 3, end: true)));
    }

    [Fact]
    public async Task ExecuteAsync_StringIds_AreSequencesOfTheirOwn()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());

        Assert.Equal(5, await RunAsync(batcher, Step(new CorrelationId(0, "a"), 5, start: true)));
        Assert.Equal(7, await RunAsync(batcher, Step(new CorrelationId(0, "b"), 7, start: true)));
        Assert.Equal(6, await RunAsync(batcher, Step(new CorrelationId(0, "a"), 1)));
    }

    [Fact]
    public async Task ExecuteAsync_StartOnActiveSequence_RestartsWithInitialState()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());

        await RunAsync(batcher, Step(3, 100, start: true));
        Assert.Equal(105, await RunAsync(batcher, Step(3, 5)));
        Assert.Equal(4, await RunAsync(batcher, Step(3, 4, start: true)));
        Assert.Equal(5, await RunAsync(batcher, Step(3, 1)));
    }

    [Fact]
    public async Task ExecuteAsync_ControlInputs_InstanceSeesStartEndReadyCorrIdPerItem()
    {
        var instance = new FakeStatefulInstance();
        var config = Stateful(4, false, 0,
            Control("START", SequenceControlKind.SequenceStart),
            Control("END", SequenceControlKind.SequenceEnd, new SequenceControl { Fp32FalseTrue = [0.5f, 2.5f] }),
            Control("READY", SequenceControlKind.SequenceReady, new SequenceControl { BoolFalseTrue = [false, true] }),
            Control("CORRID", SequenceControlKind.SequenceCorrId, new SequenceControl { DataType = Turbine.Core.Tensors.TensorDataType.UInt64 }));
        using var batcher = Batcher(config, _time, out _, instance);

        await RunAsync(batcher, Step(42, 1, start: true));
        await RunAsync(batcher, Step(42, 1));
        await RunAsync(batcher, Step(42, 1, end: true));

        var batches = instance.Batches.ToArray();
        Assert.Equal([1.0, 0, 0], batches.Select(b => b.Values["START"][0]));
        Assert.Equal([0.5, 0.5, 2.5], batches.Select(b => b.Values["END"][0]));
        Assert.All(batches, b => Assert.Equal([1.0], b.Values["READY"]));
        Assert.All(batches, b => Assert.Equal([42.0], b.Values["CORRID"]));
        Assert.All(batches, b => Assert.Equal([1L, 1], b.Shapes["START"]));
    }

    [Fact]
    public async Task ExecuteAsync_SequencesReadyTogether_RunInOneBatchWithPerItemControls()
    {
        var instance = new FakeStatefulInstance { RunFreely = false };
        using var batcher = Batcher(Stateful(4, false, 0, Control("START", SequenceControlKind.SequenceStart)), _time, out var statistics, instance);

        var a1 = batcher.ExecuteAsync(Step(1, 1, start: true), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var a2 = batcher.ExecuteAsync(Step(1, 2), CancellationToken.None);
        var b1 = batcher.ExecuteAsync(Step(2, 10, start: true), CancellationToken.None);
        var a3 = batcher.ExecuteAsync(Step(1, 3), CancellationToken.None);
        instance.Release(3);
        await instance.WaitForBatchesAsync(3);

        var batches = instance.Batches.ToArray();
        Assert.Equal([1, 2, 1], batches.Select(b => b.Size));
        Assert.Equal([1.0, 0.0], batches[0].Values["START"].Concat(batches[1].Values["START"].Take(1)));
        Assert.Equal([0.0, 1.0], batches[1].Values["START"]);
        Assert.Equal([1.0, 0.0], batches[1].Values["STATE_IN"]);
        Assert.Equal([2L, 1], batches[1].Shapes["STATE_IN"]);
        Assert.Equal(1, OutputOf(await OkAsync(a1)));
        Assert.Equal(3, OutputOf(await OkAsync(a2)));
        Assert.Equal(10, OutputOf(await OkAsync(b1)));
        Assert.Equal(6, OutputOf(await OkAsync(a3)));

        var snapshot = statistics.Snapshot("acc", 1);
        Assert.Equal(3, snapshot.ExecutionCount);
        Assert.Equal([1L, 2L], snapshot.BatchStats.Select(b => b.BatchSize).Order());
    }

    [Fact]
    public async Task ExecuteAsync_OldestMoreSequencesThanMaxBatch_CapsBatchesAndKeepsOrder()
    {
        var instance = new FakeStatefulInstance { RunFreely = false };
        using var batcher = Batcher(Stateful(2, oldest: true), _time, out _, instance);

        var blocker = batcher.ExecuteAsync(Step(9, 0, start: true), CancellationToken.None);
        await instance.WaitForBatchesAsync(1);
        var pending = Enumerable.Range(1, 3).Select(i => batcher.ExecuteAsync(Step((ulong)i, i, start: true), CancellationToken.None)).ToList();
        instance.Release(3);
        await instance.WaitForBatchesAsync(3);

        Assert.Equal([1, 2, 1], instance.Batches.Select(b => b.Size));
        Assert.Equal([1.0, 2.0], instance.Batches.ElementAt(1).Values["INPUT"]);
        await OkAsync(blocker);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i + 1, OutputOf(await OkAsync(pending[i])));
        }
    }

    [Fact]
    public async Task ExecuteAsync_DirectMoreSequencesThanSlots_BacklogGetsSlotWhenOneEnds()
    {
        var instance = new FakeStatefulInstance();
        using var batcher = Batcher(Stateful(1), _time, out _, instance);

        await RunAsync(batcher, Step(1, 1, start: true));
        var waiting = batcher.ExecuteAsync(Step(2, 5, start: true), CancellationToken.None).AsTask();

        // Deterministic, no sleep: batches are handed out synchronously and the clock is fake, so a start that is still
        // queued now has not been given to an instance (its sequence has no slot) and cannot complete by itself.
        Assert.Equal(1, batcher.QueueDepth);
        Assert.False(waiting.IsCompleted);

        Assert.Equal(3, await RunAsync(batcher, Step(1, 2, end: true)));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, OutputOf(result.Value!));
    }
}
