using BenchmarkDotNet.Attributes;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Scheduling;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;

namespace Turbine.Bench.Micro;

/// <summary>
/// The schedulers' own cost, without a model: enqueue, batch formation, hand-off to the instance and back, with
/// an instance that returns its input at once. One request alone (the batch-of-one path, no copies) and eight
/// concurrent requests that the dynamic batcher combines into one batch (concatenate + split).
/// </summary>
[MemoryDiagnoser]
public class SchedulerBenchmarks
{
    private const int Concurrent = 8;

    private DynamicBatcher _batcher = null!;
    private InstancePoolScheduler _pool = null!;
    private ScheduleRequest _request;

    [GlobalSetup]
    public void Setup()
    {
        var config = new ModelConfig
        {
            Name = "echo",
            MaxBatchSize = Concurrent,
            DynamicBatching = new ModelDynamicBatching { MaxQueueDelayMicroseconds = 0 },
        };
        _batcher = new DynamicBatcher(config, [new EchoInstance()], new ModelStatistics(TimeProvider.System), TimeProvider.System);
        _pool = new InstancePoolScheduler([new EchoInstance()], new ModelStatistics(TimeProvider.System));
        var input = new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 16], new byte[64]);
        _request = new ScheduleRequest([input], ["OUTPUT0"], 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batcher.Dispose();
        _pool.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> InstancePool_OneRequest() => await RunOne(_pool);

    [Benchmark]
    public async Task<long> DynamicBatcher_OneRequest() => await RunOne(_batcher);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public async Task<long> DynamicBatcher_EightConcurrent()
    {
        var tasks = new Task<long>[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            tasks[i] = RunOne(_batcher);
        }

        long total = 0;
        foreach (var t in tasks)
        {
            total += await t;
        }

        return total;
    }

    private async Task<long> RunOne(IScheduler scheduler)
    {
        var result = await scheduler.ExecuteAsync(_request, CancellationToken.None);
        if (!result.IsOk)
        {
            throw new InvalidOperationException(result.Error.Message);
        }

        long length = 0;
        foreach (var output in result.Value.Result.Outputs)
        {
            length += output.Data.Length;
            output.Dispose();
        }

        return length;
    }

    /// <summary>Returns its first input as OUTPUT0 (a view, no copy): the scheduler is all that is measured.</summary>
    private sealed class EchoInstance : IModelInstance
    {
        public string Name => "echo_0";

        public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken) =>
            new([new InferenceTensor("OUTPUT0", inputs[0].DataType, inputs[0].Shape, inputs[0].Data)], 0, 0, 0);

        public void Dispose()
        {
        }
    }
}
