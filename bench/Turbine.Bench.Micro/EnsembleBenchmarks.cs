using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Samples;

namespace Turbine.Bench.Micro;

/// <summary>
/// Ensemble overhead: the <c>simple_chain</c> ensemble (two steps of <c>simple</c>) against the same two requests to
/// <c>simple</c> made back to back by the caller, in one process on one engine (ONNX Runtime), at concurrency 1 and 8.
/// The ratio of each pair comes from the same run.
/// </summary>
[MemoryDiagnoser]
public class EnsembleBenchmarks
{
    private const int Concurrency = 8;
    private string _repository = "";
    private InferenceEngine _engine = null!;
    private byte[] _a = [];
    private byte[] _b = [];

    [GlobalSetup]
    public void Setup()
    {
        _repository = Path.Combine(Path.GetTempPath(), "turbine-micro-" + Guid.NewGuid().ToString("N"));
        SampleRepository.Create(_repository);
        SampleGraphs.WriteSimpleChain(_repository);
        _engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repository, ControlMode = ModelControlMode.Explicit, StartupModels = [SampleGraphs.SimpleChain] },
            [new OnnxBackend()],
            NullLogger.Instance);
        _engine.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _a = new byte[64];
        _b = new byte[64];
        for (var i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_a.AsSpan(i * 4), i);
            BinaryPrimitives.WriteInt32LittleEndian(_b.AsSpan(i * 4), 1);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_repository, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<int> Direct_C1() => DirectAsync();

    [Benchmark]
    public Task<int> Ensemble_C1() => EnsembleAsync();

    [Benchmark(OperationsPerInvoke = Concurrency)]
    public async Task<int> Direct_C8() => (await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(DirectAsync)))).Sum();

    [Benchmark(OperationsPerInvoke = Concurrency)]
    public async Task<int> Ensemble_C8() => (await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(EnsembleAsync)))).Sum();

    /// <summary>The two steps by hand: simple(A, B), then simple(SUM, DIFF) on the first response's buffers.</summary>
    private async Task<int> DirectAsync()
    {
        using var first = Request("simple", "INPUT0", _a, "INPUT1", _b);
        using var sums = (await _engine.InferAsync(first, CancellationToken.None)).Value!;
        using var second = Request("simple", "INPUT0", sums.Outputs[0].Data, "INPUT1", sums.Outputs[1].Data);
        using var twice = (await _engine.InferAsync(second, CancellationToken.None)).Value!;
        return twice.Outputs.Count;
    }

    private async Task<int> EnsembleAsync()
    {
        using var request = Request(SampleGraphs.SimpleChain, "A", _a, "B", _b);
        using var response = (await _engine.InferAsync(request, CancellationToken.None)).Value!;
        return response.Outputs.Count;
    }

    private static InferenceRequest Request(string model, string first, ReadOnlyMemory<byte> a, string second, ReadOnlyMemory<byte> b)
    {
        var request = new InferenceRequest(model);
        request.Inputs.Add(new InferenceTensor(first, TensorDataType.Int32, [1, 16], a));
        request.Inputs.Add(new InferenceTensor(second, TensorDataType.Int32, [1, 16], b));
        return request;
    }
}
