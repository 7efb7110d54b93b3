using System.Text;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Tests.Tensors;

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
}
