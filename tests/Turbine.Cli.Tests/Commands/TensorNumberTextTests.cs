using System.Text;
using System.Text.Json;
using Turbine.Cli.Commands;
using Turbine.Protocol;

namespace Turbine.Cli.Tests.Commands;

public sealed class TensorNumberTextTests
{
    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            write(writer);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData(1.3274465E-08f, "[1.3274465E-08]")]
    [InlineData(0.1f, "[0.1]")]
    [InlineData(-3f, "[-3]")]
    [InlineData(float.NaN, "[\"NaN\"]")]
    [InlineData(float.PositiveInfinity, "[\"Infinity\"]")]
    public void Write_Float_ShortestFp32Text(float value, string expected)
    {
        Assert.Equal(expected, Json(w => TensorNumberText.Write(w, value)));
    }

    [Fact]
    public void Write_Float_ReadsBackToTheSameFp32()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var value = BitConverter.Int32BitsToSingle(random.Next());
            if (!float.IsFinite(value))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(Json(w => TensorNumberText.Write(w, value)));
            Assert.Equal(value, doc.RootElement[0].GetSingle());
        }
    }

    [Fact]
    public void Write_Half_ShortestFp16Text()
    {
        Assert.Equal("[0.1]", Json(w => TensorNumberText.Write(w, (Half)0.1f))); // (double)(Half)0.1 is 0.0999755859375
    }

    [Theory]
    [InlineData(0x3DCD, "0.1")]    // BF16 nearest 0.1 is 0.10009765625
    [InlineData(0x3F80, "1")]
    [InlineData(0x4049, "3.14")]  // 3.140625
    [InlineData(0xC2F7, "-123.5")] // -124 would be the next BF16 down
    public void BFloat16Text_ShortestDecimalThatReadsBack(int bits, string expected)
    {
        var text = TensorNumberText.BFloat16Text((ushort)bits);
        Assert.Equal((ushort)bits, HalfCodec.SingleToBf16(float.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, text);
    }
}
