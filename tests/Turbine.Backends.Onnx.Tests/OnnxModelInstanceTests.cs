using System.Buffers.Binary;
using System.Text;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>Every protocol datatype through a real ONNX Runtime session, in the protocol raw layout.</summary>
public sealed class OnnxModelInstanceTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public static TheoryData<TensorDataType> NumericTypes() =>
        new(TensorDataTypes.All().Where(t => t != TensorDataType.Bytes));

    public static TheoryData<TensorDataType> AllTypes() => new(TensorDataTypes.All());

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(NumericTypes))]
    public void Execute_IdentityOfEveryNumericType_RoundTripsBitExactly(TensorDataType type)
    {
        var data = SampleData(type, 6);
        using var instance = TestInstances.Create(IdentityModel(type));

        var (outType, shape, outData) = TestInstances.RunIdentity(instance, type, [2, 3], data);

        Assert.Equal(type, outType);
        Assert.Equal([2L, 3L], shape);
        Assert.Equal(data, outData);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Execute_ZeroElementTensor_ReturnsEmptyTensorOfSameShape(TensorDataType type)
    {
        using var instance = TestInstances.Create(IdentityModel(type));

        var (outType, shape, outData) = TestInstances.RunIdentity(instance, type, [0, 3], []);

        Assert.Equal(type, outType);
        Assert.Equal([0L, 3L], shape);
        Assert.Empty(outData);
    }

    [Fact]
    public void Execute_Fp16SpecialValues_RoundTripBitExactly()
    {
        // +NaN (quiet), NaN with payload, -NaN, +inf, -inf, -0, smallest subnormal, max finite.
        ushort[] bits = [0x7E00, 0x7C01, 0xFE00, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x7BFF];
        var data = ToBytes(bits);
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.FP16));

        var (_, _, outData) = TestInstances.RunIdentity(instance, TensorDataType.FP16, [2, bits.Length / 2], data);

        Assert.Equal(data, outData);
    }

    [Fact]
    public void Execute_Bf16SpecialValues_RoundTripBitExactly()
    {
        // +NaN (quiet), NaN with payload, -NaN, +inf, -inf, -0, smallest subnormal, max finite.
        ushort[] bits = [0x7FC0, 0x7F81, 0xFFC0, 0x7F80, 0xFF80, 0x8000, 0x0001, 0x7F7F];
        var data = ToBytes(bits);
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.BF16));

        var (_, _, outData) = TestInstances.RunIdentity(instance, TensorDataType.BF16, [2, bits.Length / 2], data);

        Assert.Equal(data, outData);
    }

    [Fact]
    public void Execute_BytesWithEmptyNonUtf8AndNulElements_RoundTripsFramingExactly()
    {
        byte[][] elements =
        [
            [],
            [0xFF, 0xFE, 0x80, 0xC3],
            Encoding.UTF8.GetBytes("héllo wörld"),
            [0x00, 0x41, 0x00],
            [],
            Encoding.UTF8.GetBytes(new string('x', 1000)),
        ];
        var data = BytesTensor.Frame(elements);
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.Bytes));

        var (outType, shape, outData) = TestInstances.RunIdentity(instance, TensorDataType.Bytes, [2, 3], data);

        Assert.Equal(TensorDataType.Bytes, outType);
        Assert.Equal([2L, 3L], shape);
        Assert.Equal(data, outData);
    }

    [Fact]
    public void Execute_ScalarTensor_RoundTrips()
    {
        var data = BitConverter.GetBytes(42.5f);
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.FP32, []));

        var (_, shape, outData) = TestInstances.RunIdentity(instance, TensorDataType.FP32, [], data);

        Assert.Empty(shape);
        Assert.Equal(data, outData);
    }

    [Fact]
    public void Execute_OutputOutlivesNextRun_KeepsItsOwnMemory()
    {
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.Int32));
        var first = ToBytes([1, 2, 3]);
        var second = ToBytes([7, 8, 9]);
        using var in1 = new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 3], first);
        using var in2 = new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 3], second);

        var r1 = instance.Execute([in1], ["OUTPUT0"], CancellationToken.None);
        var r2 = instance.Execute([in2], ["OUTPUT0"], CancellationToken.None);
        try
        {
            Assert.Equal(first, r1.Outputs[0].Data.ToArray());
            Assert.Equal(second, r2.Outputs[0].Data.ToArray());
        }
        finally
        {
            r1.Outputs[0].Dispose();
            r2.Outputs[0].Dispose();
        }
    }

    [Fact]
    public void Execute_CancelledToken_ThrowsOperationCanceledAndInstanceKeepsWorking()
    {
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.FP32));
        var data = ToBytes([1f, 2f]);
        using var input = new InferenceTensor("INPUT0", TensorDataType.FP32, [1, 2], data);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => instance.Execute([input], ["OUTPUT0"], cts.Token));

        var (_, _, outData) = TestInstances.RunIdentity(instance, TensorDataType.FP32, [1, 2], data);
        Assert.Equal(data, outData);
    }

    [Fact]
    public void Execute_UnknownOutputName_ThrowsInferenceExceptionNamingInstance()
    {
        using var instance = TestInstances.Create(IdentityModel(TensorDataType.FP32));
        using var input = new InferenceTensor("INPUT0", TensorDataType.FP32, [1, 1], ToBytes([1f]));

        var e = Assert.Throws<InferenceException>(() => instance.Execute([input], ["NOPE"], CancellationToken.None));

        Assert.Equal(StatusCode.Internal, e.Error.Code);
        Assert.Contains("test_0", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] SampleData(TensorDataType type, int count)
    {
        if (type == TensorDataType.Bool)
        {
            return [.. Enumerable.Range(0, count).Select(i => (byte)(i % 3 == 0 ? 1 : 0))];
        }

        // Deterministic bytes covering every bit position (sign bits, high bytes) of each element.
        var data = new byte[count * type.ElementSize()];
        var random = new Random(1234 + (int)type);
        random.NextBytes(data);
        return data;
    }

    private static byte[] ToBytes(ushort[] values)
    {
        var data = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), values[i]);
        }

        return data;
    }

    private static byte[] ToBytes(int[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private static byte[] ToBytes(float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private string IdentityModel(TensorDataType type) => IdentityModel(type, ["batch", "n"]);

    private string IdentityModel(TensorDataType type, string[] dims) =>
        _dir.Write($"identity_{type}_{dims.Length}.onnx", TestGraph.Identity(type, dims));
}
