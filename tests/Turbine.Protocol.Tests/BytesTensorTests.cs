using System.Text;
using Turbine.Protocol;

namespace Turbine.Protocol.Tests;

public sealed class BytesTensorTests
{
    [Fact]
    public void Frame_Strings_LengthPrefixedLittleEndian()
    {
        var framed = BytesTensor.Frame(["ab", "", "é"]);

        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'a', (byte)'b', 0, 0, 0, 0, 2, 0, 0, 0, 0xC3, 0xA9 }, framed);
        Assert.Equal(framed.Length, BytesTensor.FramedSize(["ab", "", "é"]));
    }

    [Fact]
    public void Frame_RawElements_RoundTripsThroughEnumerate()
    {
        byte[][] elements = [[0xFF, 0x00], [], [0x80]];
        var framed = BytesTensor.Frame(elements);

        var back = new List<byte[]>();
        foreach (var e in BytesTensor.Enumerate(framed))
        {
            back.Add(e.ToArray());
        }

        Assert.Equal(elements, back);
    }

    [Fact]
    public void CountElements_WellFormed_ReturnsCount()
    {
        Assert.Equal(3, BytesTensor.CountElements(BytesTensor.Frame(["x", "", "yz"]), out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void CountElements_Empty_ReturnsZero() => Assert.Equal(0, BytesTensor.CountElements([], out _));

    [Fact]
    public void CountElements_TruncatedLength_ReportsOffset()
    {
        byte[] data = [1, 0, 0, 0, (byte)'a', 5, 0];

        Assert.Equal(-1, BytesTensor.CountElements(data, out var problem));
        Assert.Equal("truncated BYTES element length at byte offset 5: 2 bytes left, need 4", problem);
    }

    [Fact]
    public void CountElements_LengthPastEnd_ReportsDeclaredAndRemaining()
    {
        byte[] data = [1, 0, 0, 0, (byte)'a', 9, 0, 0, 0, (byte)'b'];

        Assert.Equal(-1, BytesTensor.CountElements(data, out var problem));
        Assert.Equal("BYTES element 1 declares 9 bytes but only 1 remain", problem);
    }

    [Fact]
    public void CountElements_HugeLength_ReportsWithoutOverflow()
    {
        byte[] data = [0xFF, 0xFF, 0xFF, 0xFF, 1];

        Assert.Equal(-1, BytesTensor.CountElements(data, out var problem));
        Assert.Equal("BYTES element 0 declares 4294967295 bytes but only 1 remain", problem);
    }

    [Fact]
    public void ToStrings_Utf8Elements_Decoded() =>
        Assert.Equal(["héllo", "", "w"], BytesTensor.ToStrings(BytesTensor.Frame(["héllo", "", "w"])));

    [Fact]
    public void ToStrings_NonUtf8_UsesReplacementCharacter() =>
        Assert.Equal("\uFFFD", Assert.Single(BytesTensor.ToStrings(BytesTensor.Frame([new byte[] { 0xFF }]))));

    [Fact]
    public void Frame_Strings_EncodedAsUtf8() =>
        Assert.Equal(Encoding.UTF8.GetBytes("ü"), BytesTensor.Frame(["ü"]).AsSpan(4).ToArray());

    [Fact]
    public void TryReadElement_WellFormed_ReadsEachElementAndAdvances()
    {
        ReadOnlySpan<byte> data = BytesTensor.Frame(["ab", "", "c"]);
        var seen = new List<string>();

        while (!data.IsEmpty)
        {
            Assert.True(BytesTensor.TryReadElement(ref data, out var element));
            seen.Add(Encoding.UTF8.GetString(element));
        }

        Assert.Equal(["ab", "", "c"], seen);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0 })] // 3 bytes: not even a length
    [InlineData(new byte[] { 2, 0, 0, 0, (byte)'a' })] // declares 2, holds 1
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 1 })] // a length over int.MaxValue
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x80, 1 })] // 2^31 exactly: negative as an int
    public void TryReadElement_MalformedFraming_FalseAndLeavesInputAsItWas(byte[] framed)
    {
        ReadOnlySpan<byte> data = framed;

        Assert.False(BytesTensor.TryReadElement(ref data, out var element));
        Assert.Equal(framed.Length, data.Length);
        Assert.True(element.IsEmpty);
        Assert.Equal(-1, BytesTensor.CountElements(framed, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void TryReadElement_MalformedSecondElement_FirstReadThenStopsAtItsOffset()
    {
        byte[] framed = [1, 0, 0, 0, (byte)'a', 5, 0, 0, 0, (byte)'b'];
        ReadOnlySpan<byte> data = framed;

        Assert.True(BytesTensor.TryReadElement(ref data, out var first));
        Assert.Equal("a"u8.ToArray(), first.ToArray());
        Assert.False(BytesTensor.TryReadElement(ref data, out _));
        Assert.Equal(5, framed.Length - data.Length);
    }

    [Fact]
    public void WriteElement_BytesAndString_SameFramingAsFrame()
    {
        var buffer = new byte[4 + 3 + 4 + 2];

        var n = BytesTensor.WriteElement(buffer, [1, 2, 3]);
        n += BytesTensor.WriteElement(buffer.AsSpan(n), "é");

        Assert.Equal(buffer.Length, n);
        Assert.Equal(BytesTensor.Frame([new byte[] { 1, 2, 3 }, Encoding.UTF8.GetBytes("é")]), buffer);
    }

    [Fact]
    public void WriteLengthPrefix_ElementDecodedInPlace_FramedAndSizeReturned()
    {
        var buffer = new byte[8];
        "xyz"u8.CopyTo(buffer.AsSpan(4));

        var n = BytesTensor.WriteLengthPrefix(buffer, 3);

        Assert.Equal(7, n);
        Assert.Equal(["xyz"], BytesTensor.ToStrings(buffer.AsSpan(0, n)));
    }

    [Fact]
    public void WriteLengthPrefix_NegativeLength_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BytesTensor.WriteLengthPrefix(new byte[4], -1));
}
