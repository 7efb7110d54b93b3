using System.Buffers.Binary;
using System.Text;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

public sealed class JsonTensorReaderTests
{
    private static byte[] ReadOk(string json, TensorDataType type, params long[] shape)
    {
        var result = JsonTensorReader.Read(Encoding.UTF8.GetBytes(json), "INPUT0", type, shape);
        Assert.True(result.IsOk, result.Error?.Message);
        using var buffer = result.Value!;
        return buffer.WrittenSpan.ToArray();
    }

    private static InferenceError ReadError(string json, TensorDataType type, params long[] shape)
    {
        var result = JsonTensorReader.Read(Encoding.UTF8.GetBytes(json), "INPUT0", type, shape);
        Assert.False(result.IsOk);
        Assert.Equal(StatusCode.InvalidArgument, result.Error!.Code);
        Assert.Contains("'INPUT0'", result.Error.Message, StringComparison.Ordinal);
        return result.Error;
    }

    private static byte[] Le<T>(T[] values, int size, Action<byte[], int, T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            write(bytes, i * size, values[i]);
        }

        return bytes;
    }

    [Fact]
    public void Read_Bool_FlatAndNested_OneBytePerElement()
    {
        Assert.Equal([1, 0, 1, 1], ReadOk("[true,false,true,true]", TensorDataType.Bool, 4));
        Assert.Equal([1, 0, 1, 1], ReadOk("[[true,false],[true,true]]", TensorDataType.Bool, 2, 2));
    }

    [Fact]
    public void Read_UInt8AndInt8_Edges()
    {
        Assert.Equal([0, 255, 7], ReadOk("[0,255,7]", TensorDataType.UInt8, 3));
        Assert.Equal([0x80, 0x7F, 0, 0xFF], ReadOk("[[-128,127],[0,-1]]", TensorDataType.Int8, 2, 2));
    }

    [Fact]
    public void Read_16BitIntegers_LittleEndianEdges()
    {
        Assert.Equal(
            Le<ushort>([0, 65535, 258], 2, (b, o, v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(o), v)),
            ReadOk("[0,65535,258]", TensorDataType.UInt16, 3));
        Assert.Equal([0x00, 0x80, 0xFF, 0x7F, 0x02, 0x01], ReadOk("[[-32768],[32767],[258]]", TensorDataType.Int16, 3, 1));
    }

    [Fact]
    public void Read_32BitIntegers_LittleEndianEdges()
    {
        Assert.Equal(
            Le<uint>([0, uint.MaxValue, 0x01020304], 4, (b, o, v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(o), v)),
            ReadOk("[0,4294967295,16909060]", TensorDataType.UInt32, 3));
        Assert.Equal(
            [0x00, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F, 0x04, 0x03, 0x02, 0x01],
            ReadOk("[[-2147483648,2147483647,16909060]]", TensorDataType.Int32, 1, 3));
    }

    [Fact]
    public void Read_64BitIntegers_LittleEndianEdges()
    {
        Assert.Equal(
            Le<ulong>([0, ulong.MaxValue, 0x0102030405060708], 8, (b, o, v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(o), v)),
            ReadOk("[0,18446744073709551615,72623859790382856]", TensorDataType.UInt64, 3));
        Assert.Equal(
            Le<long>([long.MinValue, long.MaxValue, -1], 8, (b, o, v) => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(o), v)),
            ReadOk("[[-9223372036854775808],[9223372036854775807],[-1]]", TensorDataType.Int64, 3, 1));
    }

    [Fact]
    public void Read_FP32_ExactBitsForEdges()
    {
        float[] values = [0f, -0f, float.Epsilon, float.MaxValue, -float.MaxValue, 1.5f, 1f / 3];
        var json = "[0,-0.0,1E-45,3.4028235E+38,-3.4028235E+38,1.5,0.33333334]";
        Assert.Equal(
            Le(values, 4, (b, o, v) => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(o), v)),
            ReadOk(json, TensorDataType.FP32, 7));
    }

    [Fact]
    public void Read_FP64_ExactBitsForEdges()
    {
        double[] values = [0d, -0d, double.Epsilon, double.MaxValue, double.MinValue, 1d / 3];
        var json = "[[0,-0.0,5E-324],[1.7976931348623157E+308,-1.7976931348623157E+308,0.3333333333333333]]";
        Assert.Equal(
            Le(values, 8, (b, o, v) => BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(o), v)),
            ReadOk(json, TensorDataType.FP64, 2, 3));
    }

    [Fact]
    public void Read_FP16_RoundsLikeHalfCast()
    {
        double[] values = [1d / 3, 65504, -65504, 6e-8, 0, 0.1, 2049];
        var json = "[0.3333333333333333,65504,-65504,6E-08,0,0.1,2049]";
        Assert.Equal(
            Le(values, 2, (b, o, v) => BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(o), (Half)v)),
            ReadOk(json, TensorDataType.FP16, 7));
        // 2049 is halfway between 2048 and 2050: ties go to even (2048).
        Assert.Equal((Half)2048, BinaryPrimitives.ReadHalfLittleEndian(ReadOk("[2049]", TensorDataType.FP16, 1)));
    }

    [Fact]
    public void Read_BF16_RoundsToNearestEven()
    {
        // 1/3 = 0x3EAAAAAB as float: the dropped half 0xAAAB > 0x8000 rounds up to 0x3EAB.
        Assert.Equal([0xAB, 0x3E], ReadOk("[0.3333333333333333]", TensorDataType.BF16, 1));
        // 1 + 2^-8 lies halfway between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties to even → 0x3F80.
        Assert.Equal([0x80, 0x3F], ReadOk("[1.00390625]", TensorDataType.BF16, 1));
        // 1 + 3*2^-8 is halfway between 0x3F81 and 0x3F82: ties to even → 0x3F82.
        Assert.Equal([0x82, 0x3F], ReadOk("[1.01171875]", TensorDataType.BF16, 1));
        Assert.Equal([0x00, 0x80, 0x80, 0xBF], ReadOk("[-0.0,-1]", TensorDataType.BF16, 2));
    }

    [Fact]
    public void Read_BF16_JustAboveATie_RoundsUpWithoutDoubleRounding()
    {
        // 1 + 2^-8 + 2^-30 is above the tie between 0x3F80 and 0x3F81, so the nearest bf16 is 0x3F81. Rounding
        // through float first lands exactly on the tie (2^-30 is below float precision) and wrongly picks 0x3F80.
        Assert.Equal([0x81, 0x3F], ReadOk("[1.0039062509313226]", TensorDataType.BF16, 1));
    }

    [Fact]
    public void Read_Bytes_FramesUtf8WithLengths()
    {
        var bytes = ReadOk("[\"\",\"abc\",\"h\\u00e9llo\",\"\u65e5\u672c\"]", TensorDataType.Bytes, 4);
        Assert.Equal(BinaryBody.Strings("", "abc", "h\u00e9llo", "\u65e5\u672c"), bytes);
    }

    [Fact]
    public void Read_Bytes_ManyEmptyStrings_GrowsBuffer()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("\"\"", 1000)) + "]";
        Assert.Equal(new byte[4000], ReadOk(json, TensorDataType.Bytes, 1000));
    }

    [Theory]
    [InlineData(TensorDataType.UInt8, "256", "0")]
    [InlineData(TensorDataType.UInt8, "-1", "0")]
    [InlineData(TensorDataType.Int8, "128", "-128")]
    [InlineData(TensorDataType.Int8, "-129", "127")]
    [InlineData(TensorDataType.UInt16, "65536", "0")]
    [InlineData(TensorDataType.UInt16, "-1", "65535")]
    [InlineData(TensorDataType.Int16, "32768", "-32768")]
    [InlineData(TensorDataType.Int16, "-32769", "32767")]
    [InlineData(TensorDataType.UInt32, "4294967296", "0")]
    [InlineData(TensorDataType.UInt32, "-1", "4294967295")]
    [InlineData(TensorDataType.Int32, "2147483648", "-2147483648")]
    [InlineData(TensorDataType.Int32, "-2147483649", "2147483647")]
    [InlineData(TensorDataType.Int32, "1.5", "0")]
    [InlineData(TensorDataType.Int32, "1e3", "0")]
    [InlineData(TensorDataType.UInt64, "18446744073709551616", "0")]
    [InlineData(TensorDataType.UInt64, "-1", "18446744073709551615")]
    [InlineData(TensorDataType.Int64, "9223372036854775808", "-9223372036854775808")]
    [InlineData(TensorDataType.Int64, "-9223372036854775809", "9223372036854775807")]
    [InlineData(TensorDataType.FP32, "1e39", "0")]
    [InlineData(TensorDataType.FP64, "1e309", "0")]
    [InlineData(TensorDataType.FP64, "-1e309", "0")]
    [InlineData(TensorDataType.FP16, "65520", "65504")]
    [InlineData(TensorDataType.BF16, "1e39", "0")]
    [InlineData(TensorDataType.BF16, "-3.4e38", "0")]
    public void Read_OutOfRange_NamesInputIndexAndValue(TensorDataType type, string bad, string good)
    {
        var error = ReadError($"[{good},{good},{bad}]", type, 3);
        Assert.Contains("element 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
        Assert.Contains(type.ToWireName(), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TensorDataType.Int32, "\"1\"", "string")]
    [InlineData(TensorDataType.Int32, "null", "null")]
    [InlineData(TensorDataType.Int32, "true", "boolean")]
    [InlineData(TensorDataType.FP32, "\"nan-ish\"", "string")]
    [InlineData(TensorDataType.Bytes, "1", "number")]
    [InlineData(TensorDataType.Bytes, "null", "null")]
    [InlineData(TensorDataType.Bool, "1", "number")]
    [InlineData(TensorDataType.Bool, "\"true\"", "string")]
    public void Read_WrongJsonKind_NamesKindAndIndex(TensorDataType type, string bad, string kind)
    {
        var good = type switch
        {
            TensorDataType.Bytes => "\"a\"",
            TensorDataType.Bool => "true",
            _ => "1",
        };
        var error = ReadError($"[{good},{bad}]", type, 2);
        Assert.Contains("element 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"JSON {kind}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ObjectElement_ReportsObjectNotACountMismatch()
    {
        var error = ReadError("[1,{\"a\":1}]", TensorDataType.Int32, 2);
        Assert.Contains("element 1 is a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2,3]", 4L)]
    [InlineData("[[1,2],[3]]", 2L)]
    [InlineData("[]", 1L)]
    public void Read_CountMismatch_NamesShapeAndCounts(string json, long n)
    {
        var error = ReadError(json, TensorDataType.Int32, n);
        Assert.Contains($"[{n}]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"needs {n} elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeShapeWithTinyData_FailsFastWithoutAllocating()
    {
        // "Fast" is shown by what was allocated (nothing sized by the claimed shape), not by a wall-clock bound.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = ReadError("[1,2,3]", TensorDataType.FP64, 1_000_000_000_000);
        Assert.Contains("needs 1000000000000 elements", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated more than 1 MB");
    }

    [Fact]
    public void Read_ShapeProductOverflows_IsAClearError()
    {
        var error = ReadError("[1,2,3]", TensorDataType.Int32, long.MaxValue, 4);
        Assert.Contains("[9223372036854775807,4]", error.Message, StringComparison.Ordinal);
        Assert.Contains("more elements than a tensor can hold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ScalarShape_HoldsOneElement()
    {
        Assert.Equal([42, 0, 0, 0], ReadOk("[42]", TensorDataType.Int32));
    }

    [Theory]
    [InlineData(TensorDataType.FP32)]
    [InlineData(TensorDataType.FP64)]
    [InlineData(TensorDataType.FP16)]
    [InlineData(TensorDataType.BF16)]
    public void Read_NamedNonFiniteStrings_ReadBackWhatTheWriterWrites(TensorDataType type)
    {
        var result = JsonTensorReader.Read("[\"NaN\",\"Infinity\",\"-Infinity\"]"u8, "x", type, [3]);
        Assert.True(result.IsOk, result.Error?.Message);
        using var buffer = result.Value!;
        var values = Enumerable.Range(0, 3).Select(i => Turbine.Core.Tensors.TensorValues.ReadAsDouble(buffer.WrittenSpan, type, i)).ToArray();
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.Equal(double.NegativeInfinity, values[2]);
    }

    [Fact]
    public void Read_NamedFloatStringForIntegerType_IsRejected()
    {
        var result = JsonTensorReader.Read("[\"NaN\"]"u8, "x", TensorDataType.Int32, [1]);
        Assert.False(result.IsOk);
        Assert.Contains("is a JSON string", result.Error!.Message, StringComparison.Ordinal);
    }
}
