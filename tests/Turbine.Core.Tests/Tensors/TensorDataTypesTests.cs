using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Tensors;

public sealed class TensorDataTypesTests
{
    [Theory]
    [InlineData(TensorDataType.Bool, "BOOL", "TYPE_BOOL", 1)]
    [InlineData(TensorDataType.UInt8, "UINT8", "TYPE_UINT8", 1)]
    [InlineData(TensorDataType.UInt16, "UINT16", "TYPE_UINT16", 2)]
    [InlineData(TensorDataType.UInt32, "UINT32", "TYPE_UINT32", 4)]
    [InlineData(TensorDataType.UInt64, "UINT64", "TYPE_UINT64", 8)]
    [InlineData(TensorDataType.Int8, "INT8", "TYPE_INT8", 1)]
    [InlineData(TensorDataType.Int16, "INT16", "TYPE_INT16", 2)]
    [InlineData(TensorDataType.Int32, "INT32", "TYPE_INT32", 4)]
    [InlineData(TensorDataType.Int64, "INT64", "TYPE_INT64", 8)]
    [InlineData(TensorDataType.FP16, "FP16", "TYPE_FP16", 2)]
    [InlineData(TensorDataType.FP32, "FP32", "TYPE_FP32", 4)]
    [InlineData(TensorDataType.FP64, "FP64", "TYPE_FP64", 8)]
    [InlineData(TensorDataType.Bytes, "BYTES", "TYPE_STRING", 0)]
    [InlineData(TensorDataType.BF16, "BF16", "TYPE_BF16", 2)]
    public void Names_EveryType_WireConfigAndSizeRoundTrip(TensorDataType type, string wire, string config, int size)
    {
        Assert.Equal(wire, type.ToWireName());
        Assert.Equal(config, type.ToConfigName());
        Assert.Equal(size, type.ElementSize());
        Assert.True(TensorDataTypes.TryParseWireName(wire, out var fromWire));
        Assert.Equal(type, fromWire);
        Assert.True(TensorDataTypes.TryParseConfigName(config, out var fromConfig));
        Assert.Equal(type, fromConfig);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("STRING")]
    [InlineData("INVALID")]
    [InlineData("")]
    public void TryParseWireName_Unknown_False(string name)
    {
        Assert.False(TensorDataTypes.TryParseWireName(name, out var type));
        Assert.Equal(TensorDataType.Invalid, type);
    }

    [Fact]
    public void All_FourteenProtocolTypes_InEnumOrder()
    {
        var all = TensorDataTypes.All();

        Assert.Equal(14, all.Length);
        Assert.DoesNotContain(TensorDataType.Invalid, all);
        Assert.Equal(all.Order(), all);
    }
}
