using System.Buffers.Binary;
using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>Builds batchers over fake instances on a fake clock, and requests whose values tell them apart.</summary>
internal static class SchedulingTestKit
{
    public const int Width = 2;

    public static ModelConfig ModelWith(int maxBatchSize, ModelDynamicBatching batching) =>
        new() { Name = "fake", MaxBatchSize = maxBatchSize, DynamicBatching = batching };

    public static DynamicBatcher Batcher(ModelConfig config, FakeTimeProvider time, out ModelStatistics statistics, params FakeModelInstance[] instances)
    {
        statistics = new ModelStatistics(time);
        return new DynamicBatcher(config, instances, statistics, time);
    }

    /// <summary>A request of <paramref name="batch"/> items; INPUT0 holds <paramref name="first"/>, first+1, ….</summary>
    public static ScheduleRequest Request(int batch, int first, long priority = 0, long timeoutUs = 0, int width = Width, params string[] outputs)
    {
        var data = new byte[batch * width * 4];
        for (var i = 0; i < batch * width; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), first + i);
        }

        var input = new InferenceTensor("INPUT0", TensorDataType.Int32, [batch, width], data);
        return new ScheduleRequest([input], outputs.Length > 0 ? outputs : ["OUTPUT0"], batch, priority, timeoutUs);
    }

    public static int[] Values(int batch, int first, int width = Width) => [.. Enumerable.Range(first, batch * width)];

    public static async Task<ScheduledExecution> OkAsync(ValueTask<Result<ScheduledExecution>> pending)
    {
        var result = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.IsOk, result.Error?.ToString());
        return result.Value;
    }

    public static async Task<InferenceError> ErrorAsync(ValueTask<Result<ScheduledExecution>> pending)
    {
        var result = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(result.IsOk);
        return result.Error;
    }

    public static int[] Output(ScheduledExecution execution, string name = "OUTPUT0") =>
        FakeModelInstance.ReadInt32s(execution.Result.Outputs.Single(o => o.Name == name).Data.Span);

    public static ModelDynamicBatching Batching(
        int[]? preferred = null, long delayUs = 0, bool preserveOrdering = false, int priorityLevels = 0, int defaultLevel = 0,
        ModelQueuePolicy? queuePolicy = null, ImmutableDictionary<ulong, ModelQueuePolicy>? levelPolicies = null) => new()
        {
            PreferredBatchSizes = [.. preferred ?? []],
            MaxQueueDelayMicroseconds = delayUs,
            PreserveOrdering = preserveOrdering,
            PriorityLevels = priorityLevels,
            DefaultPriorityLevel = defaultLevel,
            DefaultQueuePolicy = queuePolicy,
            PriorityQueuePolicy = levelPolicies ?? ImmutableDictionary<ulong, ModelQueuePolicy>.Empty,
        };
}
