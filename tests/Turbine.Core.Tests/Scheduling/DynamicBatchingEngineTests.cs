using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turbine.Backends.Onnx;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>The dynamic batcher end to end: the real engine and ONNX Runtime on the <c>simple</c> model.</summary>
public sealed class DynamicBatchingEngineTests : IDisposable
{
    private const int Size = TestEngine.SimpleSize;
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task InferAsync_RequestsFormOnePreferredBatch_EachGetsItsOwnResults()
    {
        // The delay is on a fake clock that never moves: only reaching the preferred size 4 runs the batch.
        _repo.AppendConfig("simple", "dynamic_batching { preferred_batch_size: [ 4 ] max_queue_delay_microseconds: 10000000 }");
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, TimeProvider = new FakeTimeProvider() },
            [new OnnxBackend()],
            NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        (int Batch, int Offset)[] shapes = [(2, 1000), (1, 2000), (1, 3000)];
        var requests = shapes.Select(s => Request(s.Batch, s.Offset)).ToList();

        var pending = requests.Select(r => engine.InferAsync(r, CancellationToken.None).AsTask()).ToList();
        var results = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        for (var r = 0; r < shapes.Length; r++)
        {
            var result = results[r];
            Assert.True(result.IsOk, result.Error?.ToString());
            using var response = result.Value;
            var (batch, offset) = shapes[r];
            var input0 = Enumerable.Range(0, batch * Size).Select(i => offset + i).ToArray();
            var input1 = Enumerable.Range(0, batch * Size).Select(i => 3 * (i % Size)).ToArray();
            var sum = response.Outputs.Single(o => o.Name == "OUTPUT0");
            Assert.Equal([(long)batch, Size], sum.Shape);
            Assert.Equal(input0.Zip(input1, (a, b) => a + b), TestEngine.ReadInt32s(sum));
            Assert.Equal(input0.Zip(input1, (a, b) => a - b), TestEngine.ReadInt32s(response.Outputs.Single(o => o.Name == "OUTPUT1")));
        }

        foreach (var request in requests)
        {
            request.Dispose();
        }

        var stats = Assert.Single(engine.GetStatistics("simple", null).Value!);
        Assert.Equal(1, stats.ExecutionCount);
        Assert.Equal(4, stats.InferenceCount);
        Assert.Equal(3, stats.InferenceStats.Success.Count);
        Assert.Equal(4, Assert.Single(stats.BatchStats).BatchSize);
    }

    /// <summary>INPUT0[b][i] = offset + b*16 + i, INPUT1[b][i] = 3*i.</summary>
    private static InferenceRequest Request(int batch, int offset)
    {
        var request = new InferenceRequest("simple");
        request.Inputs.Add(Int32s("INPUT0", batch, (b, i) => offset + (b * Size) + i));
        request.Inputs.Add(Int32s("INPUT1", batch, (_, i) => 3 * i));
        return request;
    }

    private static InferenceTensor Int32s(string name, int batch, Func<int, int, int> value)
    {
        var data = new byte[batch * Size * 4];
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i < Size; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(((b * Size) + i) * 4), value(b, i));
            }
        }

        return new InferenceTensor(name, TensorDataType.Int32, [batch, Size], data);
    }
}
