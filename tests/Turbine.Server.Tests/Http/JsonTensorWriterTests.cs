using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

public sealed class JsonTensorWriterTests
{
    private static string Write(TensorDataType type, byte[] data, long count)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonResults.WriterOptions))
        {
            writer.WriteStartObject();
            JsonTensorWriter.WriteData(writer, new InferenceTensor("OUTPUT0", type, [count], data));
            writer.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        using var _ = JsonDocument.Parse(text); // always valid JSON
        return text;
    }

    private static byte[] Bytes<T>(T[] values, int size, Action<Span<byte>, T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            write(bytes.AsSpan(i * size), values[i]);
        }

        return bytes;
    }

    [Fact]
    public void WriteData_Bool_TrueForAnyNonZeroByte()
    {
        Assert.Equal("{\"data\":[true,false,true]}", Write(TensorDataType.Bool, [1, 0, 7], 3));
    }

    [Fact]
    public void WriteData_Integers_EdgeValues()
    {
        Assert.Equal("{\"data\":[0,255]}", Write(TensorDataType.UInt8, [0, 255], 2));
        Assert.Equal("{\"data\":[-128,127,-1]}", Write(TensorDataType.Int8, [0x80, 0x7F, 0xFF], 3));
        Assert.Equal("{\"data\":[0,65535]}", Write(TensorDataType.UInt16, Bytes<ushort>([0, 65535], 2, BinaryPrimitives.WriteUInt16LittleEndian), 2));
        Assert.Equal("{\"data\":[-32768,32767]}", Write(TensorDataType.Int16, Bytes<short>([-32768, 32767], 2, BinaryPrimitives.WriteInt16LittleEndian), 2));
        Assert.Equal("{\"data\":[0,4294967295]}", Write(TensorDataType.UInt32, Bytes([0u, uint.MaxValue], 4, BinaryPrimitives.WriteUInt32LittleEndian), 2));
        Assert.Equal("{\"data\":[-2147483648,2147483647]}", Write(TensorDataType.Int32, Bytes([int.MinValue, int.MaxValue], 4, BinaryPrimitives.WriteInt32LittleEndian), 2));
        Assert.Equal("{\"data\":[0,18446744073709551615]}", Write(TensorDataType.UInt64, Bytes([0ul, ulong.MaxValue], 8, BinaryPrimitives.WriteUInt64LittleEndian), 2));
        Assert.Equal(
            "{\"data\":[-9223372036854775808,9223372036854775807]}",
            Write(TensorDataType.Int64, Bytes([long.MinValue, long.MaxValue], 8, BinaryPrimitives.WriteInt64LittleEndian), 2));
    }

    [Fact]
    public void WriteData_FP32_RoundTripsThroughText_AndSpellsNonFinite()
    {
        float[] values = [0f, -0f, float.Epsilon, float.MaxValue, 1f / 3, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var json = Write(TensorDataType.FP32, Bytes(values, 4, BinaryPrimitives.WriteSingleLittleEndian), values.Length);
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BitConverter.SingleToInt32Bits(data[i].GetSingle()));
        }

        Assert.Equal("NaN", data[5].GetString());
        Assert.Equal("Infinity", data[6].GetString());
        Assert.Equal("-Infinity", data[7].GetString());
    }

    [Fact]
    public void WriteData_FP64_RoundTripsThroughText_AndSpellsNonFinite()
    {
        double[] values = [0d, -0d, double.Epsilon, double.MaxValue, double.MinValue, 1d / 3, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        var json = Write(TensorDataType.FP64, Bytes(values, 8, BinaryPrimitives.WriteDoubleLittleEndian), values.Length);
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(data[i].GetDouble()));
        }

        Assert.Equal("NaN", data[6].GetString());
        Assert.Equal("Infinity", data[7].GetString());
        Assert.Equal("-Infinity", data[8].GetString());
    }

    [Fact]
    public void WriteData_FP16_ExactValuesAndNonFinite()
    {
        Half[] values = [(Half)0, (Half)(-0.0f), Half.Epsilon, Half.MaxValue, Half.MinValue, (Half)(1f / 3), Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity];
        var json = Write(TensorDataType.FP16, Bytes(values, 2, BinaryPrimitives.WriteHalfLittleEndian), values.Length);
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(BitConverter.HalfToInt16Bits(values[i]), BitConverter.HalfToInt16Bits((Half)data[i].GetDouble()));
        }

        Assert.Equal("{\"data\":[0,-0,5.9604645E-08,65504,-65504,0.33325195,\"NaN\",\"Infinity\",\"-Infinity\"]}", json);
    }

    [Fact]
    public void WriteData_BF16_ExactValuesAndNonFinite()
    {
        ushort[] bits = [0x0000, 0x8000, 0x0001, 0x7F7F, 0x3EAB, 0x7FC0, 0x7F80, 0xFF80];
        var json = Write(TensorDataType.BF16, Bytes(bits, 2, BinaryPrimitives.WriteUInt16LittleEndian), bits.Length);
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(bits[i], HalfCodec.SingleToBf16(data[i].GetSingle()));
        }

        Assert.Equal("NaN", data[5].GetString());
        Assert.Equal("Infinity", data[6].GetString());
        Assert.Equal("-Infinity", data[7].GetString());
    }

    [Fact]
    public void WriteData_Bytes_Utf8EmptyAndNonAscii()
    {
        var json = Write(TensorDataType.Bytes, BinaryBody.Strings("", "a\"b\\c", "h\u00e9llo \u65e5\u672c \U0001F600"), 3);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(["", "a\"b\\c", "h\u00e9llo \u65e5\u672c \U0001F600"], doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void WriteData_Bytes_InvalidUtf8_NeedsBase64AndRoundTripsExactly()
    {
        byte[] data = [3, 0, 0, 0, (byte)'a', 0xFF, (byte)'b', 2, 0, 0, 0, 0xC3, 0x28];
        var tensor = new InferenceTensor("OUTPUT0", TensorDataType.Bytes, [2], data);
        Assert.True(JsonTensorWriter.NeedsBase64(tensor));

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonResults.WriterOptions))
        {
            writer.WriteStartObject();
            JsonTensorWriter.WriteData(writer, tensor, base64: true);
            writer.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var elements = doc.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetBytesFromBase64()).ToArray();
        Assert.Equal([(byte)'a', 0xFF, (byte)'b'], elements[0]);
        Assert.Equal([0xC3, 0x28], elements[1]);
    }

    [Fact]
    public void NeedsBase64_ValidUtf8OrNotBytes_False()
    {
        Assert.False(JsonTensorWriter.NeedsBase64(new InferenceTensor("O", TensorDataType.Bytes, [2], BinaryBody.Strings("a", "h\u00e9"))));
        Assert.False(JsonTensorWriter.NeedsBase64(new InferenceTensor("O", TensorDataType.UInt8, [2], new byte[] { 0xFF, 0xFE })));
    }

    [Fact]
    public void WriteData_Empty_IsEmptyArray()
    {
        Assert.Equal("{\"data\":[]}", Write(TensorDataType.FP32, [], 0));
        Assert.Equal("{\"data\":[]}", Write(TensorDataType.Bytes, [], 0));
    }
}
