using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// The ONNX backend's direct Run (issue 22, P7 round 3: per-instance argument arrays, raw output handles, output shape
/// arrays reused while the dimensions repeat) under concurrency: every answer is checked while earlier responses of the
/// same instance are still held, with and without dynamic batching, with varying batch sizes and cancellations.
/// </summary>
public sealed class NativeRunLifetimeTests : IDisposable
{
    private const int Size = TestEngine.SimpleSize;
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Theory]
    [InlineData("instance_group [{ kind: KIND_CPU count: 2 }]")]
    [InlineData("instance_group [{ kind: KIND_CPU count: 2 }]\ndynamic_batching { max_queue_delay_microseconds: 500 }")]
    public async Task InferAsync_ManyConcurrentRequestsHoldingEarlierResponses_EveryAnswerIsItsOwn(string config)
    {
        _repo.AppendConfig("simple", config);
        await using var engine = await StartAsync();

        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var held = new Queue<(InferenceResponse Response, int Batch, int Offset)>();
            try
            {
                for (var n = 0; n < 40; n++)
                {
                    var batch = 1 + ((w + n) % 3);
                    var offset = (w * 100_000) + (n * 100);
                    using var request = Request(batch, offset);
                    var result = await engine.InferAsync(request, CancellationToken.None);
                    Assert.True(result.IsOk, result.IsOk ? "" : result.Error.ToString());
                    held.Enqueue((result.Value, batch, offset));

                    // Keep three responses alive while the instances run further requests, and re-check them: nothing
                    // they read may be reused or released before they are disposed.
                    foreach (var (response, b, o) in held)
                    {
                        Check(response, b, o);
                    }

                    if (held.Count > 3)
                    {
                        held.Dequeue().Response.Dispose();
                    }
                }
            }
            finally
            {
                while (held.Count > 0)
                {
                    held.Dequeue().Response.Dispose();
                }
            }
        })).ToList();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task InferAsync_RequestsCancelledWhileRunning_OthersAnswerCorrectlyAndTheInstanceKeepsWorking()
    {
        _repo.AppendConfig("simple", "instance_group [{ kind: KIND_CPU count: 1 }]");
        await using var engine = await StartAsync();

        var tasks = Enumerable.Range(0, 200).Select(n => Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            using var request = Request(1 + (n % 2), n * 1000);
            var pending = engine.InferAsync(request, cts.Token).AsTask();
            if (n % 2 == 0)
            {
                await cts.CancelAsync();
            }

            try
            {
                var result = await pending;
                if (result.IsOk)
                {
                    using var response = result.Value;
                    Check(response, 1 + (n % 2), n * 1000);
                    return true;
                }

                Assert.Equal(StatusCode.Cancelled, result.Error.Code);
                Assert.True(n % 2 == 0, $"request {n} was never cancelled but answered {result.Error}");
                return false;
            }
            catch (OperationCanceledException)
            {
                Assert.True(n % 2 == 0, $"request {n} was never cancelled but threw");
                return false;
            }
        })).ToList();

        var answered = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(answered.Where((_, n) => n % 2 == 1).All(a => a), "every request that was not cancelled is answered");

        // A cancelled run must not leave the run options terminated for the next request on the instance.
        using var after = Request(3, 7);
        using var last = await TestEngine.InferOkAsync(engine, after);
        Check(last, 3, 7);
    }

    private async Task<InferenceEngine> StartAsync()
    {
        var engine = new InferenceEngine(new EngineOptions { ModelRepository = _repo.Root }, [new OnnxBackend()], NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    private static void Check(InferenceResponse response, int batch, int offset)
    {
        var input0 = Enumerable.Range(0, batch * Size).Select(i => offset + i).ToArray();
        var input1 = Enumerable.Range(0, batch * Size).Select(i => 3 * (i % Size)).ToArray();
        var sum = response.Outputs.Single(o => o.Name == "OUTPUT0");
        var difference = response.Outputs.Single(o => o.Name == "OUTPUT1");
        Assert.Equal([(long)batch, Size], sum.Shape);
        Assert.Equal([(long)batch, Size], difference.Shape);
        Assert.Equal(input0.Zip(input1, (a, b) => a + b), TestEngine.ReadInt32s(sum));
        Assert.Equal(input0.Zip(input1, (a, b) => a - b), TestEngine.ReadInt32s(difference));
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
