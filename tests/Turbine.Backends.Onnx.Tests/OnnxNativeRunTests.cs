using System.Buffers.Binary;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>The direct C-API Run (issue 22, P7 round 3): that it is in use, and what it reuses.</summary>
public sealed class OnnxNativeRunTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FastPathIsActive()
    {
        // Fails when a package upgrade renames the internals OrtNative reads: the managed Run still works, but
        // allocates ~800 B more per request; update OrtNative (docs/architecture.md, "Direct ONNX Runtime Run").
        Assert.Null(OrtNative.Unavailable);
        using var numeric = Create(TensorDataType.FP32);
        using var strings = Create(TensorDataType.Bytes);

        Assert.True(numeric.UsesNativeRun);
        Assert.False(strings.UsesNativeRun);
    }

    [Fact]
    public void Execute_SameDimensions_ReusesTheShapeArray_NewDimensions_NewArrayAndEarlierOutputsUnchanged()
    {
        using var instance = Create(TensorDataType.Int32);

        var a = Run(instance, [2, 3], 10);
        var b = Run(instance, [2, 3], 20);
        var c = Run(instance, [4, 1], 30);
        try
        {
            Assert.Same(a.Shape, b.Shape);
            Assert.NotSame(a.Shape, c.Shape);
            Assert.Equal([2L, 3L], a.Shape);
            Assert.Equal([4L, 1L], c.Shape);
            Assert.Equal(Values(6, 10), Read(a));
            Assert.Equal(Values(6, 20), Read(b));
            Assert.Equal(Values(4, 30), Read(c));
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            c.Dispose();
        }
    }

    [Fact]
    public void Execute_InputWithTooFewBytes_FailsClearlyAndTheInstanceKeepsWorking()
    {
        using var instance = Create(TensorDataType.Int32);
        using var bad = new InferenceTensor("INPUT0", TensorDataType.Int32, [2, 3], new byte[8]);

        // The engine's validator refuses this before it reaches a backend; the instance must still fail cleanly
        // (ONNX Runtime's own message, its pins and values released) and serve the next call.
        var e = Assert.ThrowsAny<OrtNativeException>(() => instance.Execute([bad], ["OUTPUT0"], CancellationToken.None));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));

        var ok = Run(instance, [1, 2], 5);
        Assert.Equal(Values(2, 5), Read(ok));
        ok.Dispose();
    }

    private OnnxModelInstance Create(TensorDataType type) =>
        (OnnxModelInstance)TestInstances.Create(_dir.Write($"identity_{type}.onnx", TestGraph.Identity(type, "batch", "n")));

    private static InferenceTensor Run(OnnxModelInstance instance, long[] shape, int start)
    {
        var count = (int)(shape[0] * shape[1]);
        using var input = new InferenceTensor("INPUT0", TensorDataType.Int32, shape, Bytes(Values(count, start)));
        return Assert.Single(instance.Execute([input], ["OUTPUT0"], CancellationToken.None).Outputs);
    }

    private static int[] Values(int count, int start) => Enumerable.Range(start, count).ToArray();

    private static byte[] Bytes(int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private static int[] Read(InferenceTensor tensor)
    {
        var span = tensor.Data.Span;
        var values = new int[span.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
        }

        return values;
    }
}
