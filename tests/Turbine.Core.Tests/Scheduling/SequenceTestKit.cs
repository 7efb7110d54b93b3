using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Sequence batchers over <see cref="FakeStatefulInstance"/>s on a fake clock, and sequence requests.</summary>
internal static class SequenceTestKit
{
    public const long IdleUs = 5_000_000;

    public static SequenceControlInput Control(string name, SequenceControlKind kind, SequenceControl? control = null) =>
        new() { Name = name, Controls = [(control ?? new SequenceControl { Int32FalseTrue = [0, 1] }) with { Kind = kind }] };

    public static ModelConfig Stateful(int maxBatchSize = 4, bool oldest = false, long delayUs = 0, params SequenceControlInput[] controls) => new()
    {
        Name = "acc",
        MaxBatchSize = maxBatchSize,
        SequenceBatching = new ModelSequenceBatching
        {
            MaxSequenceIdleMicroseconds = IdleUs,
            ControlInputs = [.. controls],
            States =
            [
                new SequenceState
                {
                    InputName = "STATE_IN",
                    OutputName = "STATE_OUT",
                    DataType = TensorDataType.Int32,
                    Dims = [1],
                    InitialState = [new SequenceInitialState { DataType = TensorDataType.Int32, Dims = [1], ZeroData = true, Name = "zero" }],
                },
            ],
            Direct = oldest ? null : new SequenceStrategyDirect { MaxQueueDelayMicroseconds = delayUs },
            Oldest = oldest ? new SequenceStrategyOldest { MaxCandidateSequences = 8, MaxQueueDelayMicroseconds = delayUs } : null,
        },
    };

    public static SequenceBatcher Batcher(ModelConfig config, FakeTimeProvider time, out ModelStatistics statistics, params FakeStatefulInstance[] instances)
    {
        statistics = new ModelStatistics(time);
        return new SequenceBatcher(config, instances, statistics, time);
    }

    /// <summary>A request of one item with INPUT = <paramref name="value"/> for sequence <paramref name="id"/>.</summary>
    public static ScheduleRequest Step(ulong id, int value, bool start = false, bool end = false, int batch = 1) =>
        Step(new CorrelationId(id, null), value, start, end, batch);

    public static ScheduleRequest Step(CorrelationId id, int value, bool start = false, bool end = false, int batch = 1)
    {
        var data = new byte[4 * batch];
        for (var i = 0; i < batch; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), value);
        }

        var input = new InferenceTensor("INPUT", TensorDataType.Int32, [batch, 1], data);
        return new ScheduleRequest([input], ["OUTPUT"], batch, Sequence: id.IsNone ? null : new SequenceRequest(id, start, end));
    }

    public static async Task<int> RunAsync(SequenceBatcher batcher, ScheduleRequest request)
    {
        var result = await batcher.ExecuteAsync(request, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.IsOk, result.Error?.ToString());
        return OutputOf(result.Value);
    }

    public static int OutputOf(ScheduledExecution execution)
    {
        var output = Assert.Single(execution.Result.Outputs);
        Assert.Equal("OUTPUT", output.Name);
        return BinaryPrimitives.ReadInt32LittleEndian(output.Data.Span);
    }
}
