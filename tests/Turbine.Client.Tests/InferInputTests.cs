namespace Turbine.Client.Tests;

public sealed class InferInputTests
{
    [Fact]
    public void SetData_Float_StoresLittleEndianBytes()
    {
        var input = new InferInput("X", [2], "FP32").SetData([1f, -2f]);

        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0 }, input.RawData.ToArray());
        Assert.True(input.Binary);
    }

    [Fact]
    public void SetData_Span_AcceptsSpanArgument()
    {
        ReadOnlySpan<long> values = [3, 4];

        var input = new InferInput("X", [2], "INT64").SetData(values);

        Assert.Equal(16, input.RawData.Length);
        Assert.Equal(3, input.RawData.Span[0]);
    }

    [Fact]
    public void SetData_TypeNotMatchingDatatype_ThrowsNamingBoth()
    {
        var input = new InferInput("X", [2], "INT64");

        var ex = Assert.Throws<ArgumentException>(() => input.SetData([1, 2]));

        Assert.Contains("INT64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Int32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetData_CountNotMatchingShape_ThrowsWithShape()
    {
        var input = new InferInput("X", [2, 3], "FP32");

        var ex = Assert.Throws<ArgumentException>(() => input.SetData(new float[5]));

        Assert.Contains("[2,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("got 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetData_VariableDim_AcceptsAnyCount()
    {
        var input = new InferInput("X", [-1], "UINT8").SetData(new byte[7]);

        Assert.Equal(7, input.RawData.Length);
    }

    [Fact]
    public void SetStrings_Utf8_WritesLengthPrefixedElements()
    {
        var input = new InferInput("S", [2], "BYTES").SetStrings(["é", "ab"]);

        Assert.Equal(new byte[] { 2, 0, 0, 0, 0xC3, 0xA9, 2, 0, 0, 0, (byte)'a', (byte)'b' }, input.RawData.ToArray());
    }

    [Fact]
    public void SetBytesElements_Raw_WritesLengthPrefixedElements()
    {
        var input = new InferInput("S", [2], "BYTES").SetBytesElements([[0xFF], []]);

        Assert.Equal(new byte[] { 1, 0, 0, 0, 0xFF, 0, 0, 0, 0 }, input.RawData.ToArray());
    }

    [Fact]
    public void SetStrings_NonBytesDatatype_Throws()
    {
        Assert.Throws<ArgumentException>(() => new InferInput("S", [1], "FP32").SetStrings(["x"]));
    }

    [Fact]
    public void SetRaw_MalformedBytes_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferInput("S", [1], "BYTES").SetRaw(new byte[] { 5, 0, 0, 0, 1 }));

        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetRaw_PartialElement_Throws()
    {
        Assert.Throws<ArgumentException>(() => new InferInput("H", [1], "FP16").SetRaw(new byte[3]));
    }

    [Fact]
    public void Constructor_UnknownDatatype_ThrowsListingValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new InferInput("X", [1], "FLOAT"));

        Assert.Contains("'FLOAT'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BF16", ex.Message, StringComparison.Ordinal);
    }
}
