using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;
using static Turbine.Core.Tests.Scheduling.SchedulingTestKit;
using static Turbine.Core.Tests.Scheduling.SequenceTestKit;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Idle release and the errors the sequence batcher answers with.</summary>
public sealed class SequenceBatcherErrorTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_NoSequenceId_InvalidArgumentSequenceIdRequired()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(0, 1, start: true), CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal("model 'acc' is stateful: sequence_id is required", error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownSequenceWithoutStart_InvalidArgumentNamingId()
    {
        var instance = new FakeStatefulInstance();
        using var batcher = Batcher(Stateful(), _time, out _, instance);

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(77, 1), CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.StartsWith("sequence 77 is not active for model 'acc'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sequence_start", error.Message, StringComparison.Ordinal);
        Assert.Empty(instance.Batches);
    }

    [Fact]
    public async Task ExecuteAsync_BatchSizeTwo_InvalidArgument()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(1, 1, start: true, batch: 2), CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal("model 'acc' is stateful: a sequence request must have batch size 1, got 2", error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_AfterEnd_NotActiveUntilStartedAgain()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());
        await RunAsync(batcher, Step(5, 1, start: true, end: true));

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(5, 1), CancellationToken.None));

        Assert.Equal("sequence 5 is not active (ended with sequence_end) for model 'acc': send a request with sequence_start to start it again", error.Message);
        Assert.Equal(2, await RunAsync(batcher, Step(5, 2, start: true)));
    }

    [Fact]
    public async Task ExecuteAsync_IdleLongerThanMaxSequenceIdle_ReleasedThenRejectedWithoutStart()
    {
        using var batcher = Batcher(Stateful(), _time, out _, new FakeStatefulInstance());
        await RunAsync(batcher, Step(9, 4, start: true));

        _time.Advance(TimeSpan.FromMicroseconds(IdleUs - 1));
        Assert.Equal(5, await RunAsync(batcher, Step(9, 1)));
        _time.Advance(TimeSpan.FromMicroseconds(IdleUs));

        // The worker may still be finishing the last request (and stamping its activity) when the clock moves:
        // move it on again until the release is seen, rather than depend on which thread ran first.
        await WaitUntilAsync(() =>
        {
            if (batcher.ActiveSequences == 0)
            {
                return true;
            }

            _time.Advance(TimeSpan.FromMicroseconds(IdleUs));
            return false;
        });

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(9, 1), CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Equal(
            $"sequence 9 is not active (released after idle for more than max_sequence_idle_microseconds {IdleUs} us) for model 'acc': send a request with sequence_start to start it again",
            error.Message);
        Assert.Equal(1, await RunAsync(batcher, Step(9, 1, start: true)));
    }

    [Fact]
    public async Task ExecuteAsync_StringIdForUInt64CorrId_InvalidArgument()
    {
        var config = Stateful(4, false, 0, Control("CORRID", SequenceControlKind.SequenceCorrId, new SequenceControl { DataType = TensorDataType.UInt64 }));
        using var batcher = Batcher(config, _time, out _, new FakeStatefulInstance());

        var error = await ErrorAsync(batcher.ExecuteAsync(Step(new CorrelationId(0, "abc"), 1, start: true), CancellationToken.None));

        Assert.Contains("CONTROL_SEQUENCE_CORRID input 'CORRID' (TYPE_UINT64), got sequence_id 'abc'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SequenceParameters_ReadsIdAndFlags()
    {
        var parameters = new Dictionary<string, InferParameter>
        {
            ["sequence_id"] = InferParameter.FromString("s1"),
            ["sequence_start"] = InferParameter.FromBool(true),
        };

        var parsed = SequenceRequest.Parse(parameters);
        Assert.True(parsed.IsOk);
        Assert.Equal(new SequenceRequest(new CorrelationId(0, "s1"), true, false), parsed.Value);

        parameters["sequence_end"] = InferParameter.FromString("yes");
        Assert.Equal("parameter 'sequence_end' must be a bool, got yes", SequenceRequest.Parse(parameters).Error!.Message.Replace("\"", "", StringComparison.Ordinal));
        Assert.Null(SequenceRequest.Parse(new Dictionary<string, InferParameter> { ["sequence_id"] = InferParameter.FromInt64(0) }).Value);
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilOrFailAsync(condition, TimeSpan.FromSeconds(20), "condition not met before the deadline", TimeSpan.FromMilliseconds(5));
}
