using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.TestSupport;

/// <summary>Starts a real <see cref="InferenceEngine"/> with the ONNX Runtime backend and builds requests.</summary>
internal static class TestEngine
{
    public const int SimpleSize = 16;

    public static async Task<InferenceEngine> StartAsync(TempModelRepository repository, ModelControlMode mode = ModelControlMode.None, params string[] startup)
    {
        var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = repository.Root, ControlMode = mode, StartupModels = startup },
            [new OnnxBackend()],
            NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    /// <summary>A request for the <c>simple</c> model: INPUT0[b][i] = b*16 + i, INPUT1[b][i] = 2 * i + 1.</summary>
    public static InferenceRequest Simple(int batch = 1, long? version = null, string model = "simple")
    {
        var request = new InferenceRequest(model, version);
        request.Inputs.Add(Int32s("INPUT0", batch, (b, i) => (b * SimpleSize) + i));
        request.Inputs.Add(Int32s("INPUT1", batch, (_, i) => (2 * i) + 1));
        return request;
    }

    public static int[] ReadInt32s(InferenceTensor tensor)
    {
        var span = tensor.Data.Span;
        var values = new int[span.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
        }

        return values;
    }

    public static async Task<InferenceResponse> InferOkAsync(InferenceEngine engine, InferenceRequest request)
    {
        var result = await engine.InferAsync(request, CancellationToken.None);
        Assert.True(result.IsOk, result.Error?.ToString());
        return result.Value;
    }

    public static async Task<InferenceError> InferErrorAsync(InferenceEngine engine, InferenceRequest request)
    {
        var result = await engine.InferAsync(request, CancellationToken.None);
        Assert.False(result.IsOk);
        return result.Error;
    }

    private static InferenceTensor Int32s(string name, int batch, Func<int, int, int> value)
    {
        var data = new byte[batch * SimpleSize * 4];
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i < SimpleSize; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(((b * SimpleSize) + i) * 4), value(b, i));
            }
        }

        return new InferenceTensor(name, TensorDataType.Int32, [batch, SimpleSize], data);
    }
}
