using System.Buffers.Binary;
using System.Collections.Concurrent;
using Turbine.Core.Backends;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// A model instance for scheduler tests: records every batch it is given and blocks in <see cref="Execute"/>
/// until the test releases it. OUTPUT0 echoes INPUT0; OUTPUT1 is INPUT0 negated.
/// </summary>
internal sealed class FakeModelInstance(string name = "fake_0") : IModelInstance
{
    private readonly SemaphoreSlim _release = new(0);

    public string Name { get; } = name;

    /// <summary>Batches in the order they started: the batch size and INPUT0's values.</summary>
    public ConcurrentQueue<ExecutedBatch> Batches { get; } = new();

    /// <summary>When true, executions return at once instead of waiting for <see cref="Release"/>.</summary>
    public bool RunFreely { get; set; }

    public bool Disposed { get; private set; }

    public void Release(int count = 1) => _release.Release(count);

    /// <summary>Waits (with a deadline) until at least <paramref name="count"/> batches have started.</summary>
    public async Task WaitForBatchesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Batches.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {Name}: {Batches.Count} batches started, expected {count}");
            await Task.Delay(5);
        }
    }

    public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var input = inputs.Single(i => i.Name == "INPUT0");
        Batches.Enqueue(new ExecutedBatch(input.Shape[0], ReadInt32s(input.Data.Span), [.. outputNames]));
        if (!RunFreely)
        {
            _release.Wait(TimeSpan.FromSeconds(30));
        }

        var outputs = new List<InferenceTensor>();
        foreach (var output in outputNames)
        {
            var data = input.Data.ToArray();
            if (output == "OUTPUT1")
            {
                for (var i = 0; i < data.Length; i += 4)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i), -BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i)));
                }
            }

            outputs.Add(new InferenceTensor(output, TensorDataType.Int32, [.. input.Shape], data));
        }

        return new ExecutionResult(outputs, 1, 2, 3);
    }

    public void Dispose()
    {
        Disposed = true;
        _release.Dispose();
    }

    public static int[] ReadInt32s(ReadOnlySpan<byte> data)
    {
        var values = new int[data.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]);
        }

        return values;
    }
}

/// <summary>One batch a fake instance executed.</summary>
internal sealed record ExecutedBatch(long Size, int[] Input0, string[] OutputNames);
