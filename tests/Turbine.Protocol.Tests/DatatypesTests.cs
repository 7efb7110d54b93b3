using System.Reflection;
using Google.Protobuf.Reflection;
using Turbine.Protocol.Grpc;

namespace Turbine.Protocol.Tests;

public sealed class DatatypesTests
{
    [Theory]
    [InlineData(1, "BOOL", "TYPE_BOOL", 1)]
    [InlineData(2, "UINT8", "TYPE_UINT8", 1)]
    [InlineData(3, "UINT16", "TYPE_UINT16", 2)]
    [InlineData(4, "UINT32", "TYPE_UINT32", 4)]
    [InlineData(5, "UINT64", "TYPE_UINT64", 8)]
    [InlineData(6, "INT8", "TYPE_INT8", 1)]
    [InlineData(7, "INT16", "TYPE_INT16", 2)]
    [InlineData(8, "INT32", "TYPE_INT32", 4)]
    [InlineData(9, "INT64", "TYPE_INT64", 8)]
    [InlineData(10, "FP16", "TYPE_FP16", 2)]
    [InlineData(11, "FP32", "TYPE_FP32", 4)]
    [InlineData(12, "FP64", "TYPE_FP64", 8)]
    [InlineData(13, "BYTES", "TYPE_STRING", 0)]
    [InlineData(14, "BF16", "TYPE_BF16", 2)]
    public void Table_EveryCode_NamesAndSizeRoundTrip(int code, string wire, string config, int size)
    {
        Assert.Equal(wire, Datatypes.WireName(code));
        Assert.Equal(config, Datatypes.ConfigName(code));
        Assert.Equal(size, Datatypes.ElementSize(code));
        Assert.Equal(size, Datatypes.ElementSize(wire));
        Assert.True(Datatypes.IsKnown(wire));
        Assert.True(Datatypes.TryParseWireName(wire, out var fromWire));
        Assert.Equal(code, fromWire);
        Assert.True(Datatypes.TryParseConfigName(config, out var fromConfig));
        Assert.Equal(code, fromConfig);
    }

    [Fact]
    public void ConfigNames_MatchModelConfigProtoDataTypeEnum()
    {
        // The table's numbers and config names are model_config.proto's DataType, as generated from protos/.
        var fromProto = Enum.GetValues<DataType>()
            .ToDictionary(v => (int)v, v => typeof(DataType).GetField(v.ToString())!.GetCustomAttribute<OriginalNameAttribute>()!.Name);

        Assert.Equal(Datatypes.MaxCode + 1, fromProto.Count);
        for (var code = 0; code <= Datatypes.MaxCode; code++)
        {
            Assert.Equal(fromProto[code], Datatypes.ConfigName(code));
        }

        Assert.Equal(fromProto.Values.Order(StringComparer.Ordinal), Datatypes.AllConfigNames().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("fp32")] // the protocol is case-sensitive
    [InlineData("FLOAT")]
    [InlineData("INVALID")]
    [InlineData("TYPE_FP32")]
    [InlineData("")]
    public void WireName_Unknown_NotKnownAndSizeMinusOne(string name)
    {
        Assert.False(Datatypes.IsKnown(name));
        Assert.Equal(-1, Datatypes.ElementSize(name));
        Assert.False(Datatypes.TryParseWireName(name, out _));
    }

    [Fact]
    public void TryParseConfigName_InvalidIsAConfigNameButNotAWireName()
    {
        Assert.True(Datatypes.TryParseConfigName("TYPE_INVALID", out var code));
        Assert.Equal(0, code);
        Assert.False(Datatypes.TryParseConfigName("FP32", out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(15)]
    public void WireName_CodeOutOfRange_Throws(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Datatypes.WireName(code));
        Assert.Throws<ArgumentOutOfRangeException>(() => Datatypes.ElementSize(code));
    }

    [Fact]
    public void IsCompatible_KnownClrTypes_OnlyTheirDatatypes()
    {
        Assert.True(Datatypes.IsCompatible<float>(Datatypes.Fp32));
        Assert.False(Datatypes.IsCompatible<float>(Datatypes.Int32));
        Assert.True(Datatypes.IsCompatible<Half>(Datatypes.Fp16));
        Assert.False(Datatypes.IsCompatible<Half>(Datatypes.Bf16));
        Assert.True(Datatypes.IsCompatible<ushort>(Datatypes.Bf16));
        Assert.True(Datatypes.IsCompatible<ushort>(Datatypes.Fp16));
        Assert.True(Datatypes.IsCompatible<byte>(Datatypes.Bool));
        Assert.False(Datatypes.IsCompatible<bool>(Datatypes.UInt8));
        Assert.False(Datatypes.IsCompatible<long>(Datatypes.UInt64));
    }

    [Fact]
    public void IsCompatible_OtherUnmanagedType_NeedsSameElementSize()
    {
        Assert.True(Datatypes.IsCompatible<char>(Datatypes.Int16)); // 2 bytes, not a table type
        Assert.False(Datatypes.IsCompatible<char>(Datatypes.Int32));
        Assert.False(Datatypes.IsCompatible<char>(Datatypes.Bytes));
    }
}
