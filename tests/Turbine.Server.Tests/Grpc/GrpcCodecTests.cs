using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;
using Turbine.Server.Tests.Http;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// Every datatype through ModelInfer on the per-datatype identity models: raw_input_contents for all of them, typed
/// contents for every datatype that has a typed field; the output (always raw) must be the exact input bytes.
/// </summary>
public sealed class GrpcCodecTests(IdentityServerFixture fixture) : IClassFixture<IdentityServerFixture>
{
    private static readonly string[] Strings = ["", "hello", "h\u00e9llo \u65e5\u672c \U0001F600", "", "a\"b\\c\n", "\0bin\u00ff"];

    public static TheoryData<TensorDataType> AllTypes() => new(TensorDataTypes.All());

    public static TheoryData<TensorDataType> TypedTypes() =>
        new(TensorDataTypes.All().Where(t => t is not TensorDataType.FP16 and not TensorDataType.BF16));

    /// <summary>Edge values of each type, as raw little-endian bytes and element count.</summary>
    private static (byte[] Raw, int Count) Edges(TensorDataType type) => type switch
    {
        TensorDataType.Bool => ([1, 0, 1, 0, 0], 5),
        TensorDataType.UInt8 => Raw<byte>([0, byte.MaxValue, 1, 128]),
        TensorDataType.Int8 => Raw<sbyte>([sbyte.MinValue, sbyte.MaxValue, 0, -1]),
        TensorDataType.UInt16 => Raw<ushort>([0, ushort.MaxValue, 1, 258]),
        TensorDataType.Int16 => Raw<short>([short.MinValue, short.MaxValue, 0, -1]),
        TensorDataType.UInt32 => Raw<uint>([0, uint.MaxValue, 1, 16909060]),
        TensorDataType.Int32 => Raw<int>([int.MinValue, int.MaxValue, 0, -1]),
        TensorDataType.UInt64 => Raw<ulong>([0, ulong.MaxValue, 1, 1UL << 63]),
        TensorDataType.Int64 => Raw<long>([long.MinValue, long.MaxValue, 0, -1]),
        TensorDataType.FP16 => Raw<Half>([(Half)0, BitConverter.Int16BitsToHalf(unchecked((short)0x8000)), Half.Epsilon, Half.MaxValue, Half.MinValue, (Half)(1.0 / 3), Half.NaN, Half.PositiveInfinity]),
        TensorDataType.BF16 => Raw<ushort>([0x0000, 0x8000, 0x0001, 0x007F, 0x7F7F, 0xFF7F, 0x3EAB, 0x7FC0]),
        TensorDataType.FP32 => Raw<float>([0f, -0f, float.Epsilon, 1.1754942E-38f, float.MaxValue, -float.MaxValue, 1f / 3, float.NaN, float.NegativeInfinity]),
        TensorDataType.FP64 => Raw<double>([0d, -0d, double.Epsilon, double.MaxValue, double.MinValue, 1d / 3, double.NaN, double.PositiveInfinity]),
        TensorDataType.Bytes => (BinaryBody.Strings(Strings), Strings.Length),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static (byte[], int) Raw<T>(T[] values)
        where T : unmanaged => (MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), values.Length);

    /// <summary>The same values in the typed field for the datatype.</summary>
    private static InferTensorContents Typed(TensorDataType type, byte[] raw)
    {
        var c = new InferTensorContents();
        if (type == TensorDataType.Bytes)
        {
            foreach (var s in BytesTensor.ToStrings(raw))
            {
                c.BytesContents.Add(ByteString.CopyFromUtf8(s));
            }

            return c;
        }

        var size = type.ElementSize();
        for (var i = 0; i < raw.Length; i += size)
        {
            var s = raw.AsSpan(i, size);
            switch (type)
            {
                case TensorDataType.Bool: c.BoolContents.Add(s[0] != 0); break;
                case TensorDataType.Int8: c.IntContents.Add((sbyte)s[0]); break;
                case TensorDataType.Int16: c.IntContents.Add(BinaryPrimitives.ReadInt16LittleEndian(s)); break;
                case TensorDataType.Int32: c.IntContents.Add(BinaryPrimitives.ReadInt32LittleEndian(s)); break;
                case TensorDataType.Int64: c.Int64Contents.Add(BinaryPrimitives.ReadInt64LittleEndian(s)); break;
                case TensorDataType.UInt8: c.UintContents.Add(s[0]); break;
                case TensorDataType.UInt16: c.UintContents.Add(BinaryPrimitives.ReadUInt16LittleEndian(s)); break;
                case TensorDataType.UInt32: c.UintContents.Add(BinaryPrimitives.ReadUInt32LittleEndian(s)); break;
                case TensorDataType.UInt64: c.Uint64Contents.Add(BinaryPrimitives.ReadUInt64LittleEndian(s)); break;
                case TensorDataType.FP32: c.Fp32Contents.Add(BinaryPrimitives.ReadSingleLittleEndian(s)); break;
                case TensorDataType.FP64: c.Fp64Contents.Add(BinaryPrimitives.ReadDoubleLittleEndian(s)); break;
                default: throw new ArgumentOutOfRangeException(nameof(type));
            }
        }

        return c;
    }

    private static ModelInferRequest Request(TensorDataType type, int count, string id)
    {
        var request = new ModelInferRequest { ModelName = IdentityRepository.ModelName(type), Id = id };
        request.Inputs.Add(GrpcTestClient.Input("INPUT0", type.ToWireName(), 1, count));
        return request;
    }

    private static void AssertIdentity(ModelInferResponse response, TensorDataType type, int count, byte[] raw, string id)
    {
        Assert.Equal(IdentityRepository.ModelName(type), response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal(id, response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("OUTPUT0", output.Name);
        Assert.Equal(type.ToWireName(), output.Datatype);
        Assert.Equal([1L, count], output.Shape);
        Assert.Null(output.Contents);
        Assert.Equal(raw, Assert.Single(response.RawOutputContents).ToByteArray());
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task ModelInfer_RawInputContents_RoundTripsExactBytes(TensorDataType type)
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var (raw, count) = Edges(type);
        var request = Request(type, count, "raw-" + type);
        request.RawInputContents.Add(ByteString.CopyFrom(raw));
        AssertIdentity(await c.Client.ModelInferAsync(request), type, count, raw, "raw-" + type);
    }

    [Theory]
    [MemberData(nameof(TypedTypes))]
    public async Task ModelInfer_TypedContents_RoundTripsExactBytes(TensorDataType type)
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var (raw, count) = Edges(type);
        var request = Request(type, count, "typed-" + type);
        request.Inputs[0].Contents = Typed(type, raw);
        AssertIdentity(await c.Client.ModelInferAsync(request), type, count, raw, "typed-" + type);
    }

    [Theory]
    [InlineData(TensorDataType.FP16)]
    [InlineData(TensorDataType.BF16)]
    public async Task ModelInfer_TypedHalfPrecision_InvalidArgumentSaysSendRaw(TensorDataType type)
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var request = Request(type, 2, "");
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Fp32Contents.Add([1f, 2f]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains($"input 'INPUT0': datatype {type.ToWireName()} has no typed contents field; send it in raw_input_contents", e.Status.Detail);
    }

    [Fact]
    public async Task ModelInfer_TypedBatchOfTwo_KeepsRowOrder()
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var request = new ModelInferRequest { ModelName = IdentityRepository.ModelName(TensorDataType.Int64) };
        request.Inputs.Add(GrpcTestClient.Input("INPUT0", "INT64", 2, 3));
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Int64Contents.Add([1, 2, 3, -4, -5, long.MaxValue]);
        var response = await c.Client.ModelInferAsync(request);
        Assert.Equal([2L, 3L], response.Outputs[0].Shape);
        Assert.Equal([1L, 2, 3, -4, -5, long.MaxValue], GrpcTestClient.Values<long>(response.RawOutputContents[0]));
    }

    [Theory]
    [InlineData(TensorDataType.Int16, 40000)]
    [InlineData(TensorDataType.Int8, -129)]
    public async Task ModelInfer_TypedOutOfRange_InvalidArgument(TensorDataType type, int value)
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var request = Request(type, 2, "");
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.IntContents.Add([0, value]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains($"input 'INPUT0': element 1 value {value} is not a valid {type.ToWireName()}", e.Status.Detail);
    }

    [Theory]
    [InlineData(TensorDataType.UInt8, 256u)]
    [InlineData(TensorDataType.UInt16, 65536u)]
    public async Task ModelInfer_TypedUnsignedOutOfRange_InvalidArgument(TensorDataType type, uint value)
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var request = Request(type, 1, "");
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.UintContents.Add(value);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains($"element 0 value {value} is not a valid {type.ToWireName()}", e.Status.Detail);
    }

    [Fact]
    public async Task ModelInfer_TypedWrongField_InvalidArgumentNamesField()
    {
        using var c = new GrpcTestClient(fixture.Server.GrpcAddress);
        var request = Request(TensorDataType.FP32, 2, "");
        request.Inputs[0].Contents = new InferTensorContents();
        request.Inputs[0].Contents.Fp64Contents.Add([1d, 2d]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("datatype FP32 takes its data in fp32_contents, but fp64_contents is also set (2 elements); send only fp32_contents", e.Status.Detail);
    }
}
