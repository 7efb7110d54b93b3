using System.Buffers.Binary;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Tensors;

public sealed class TensorValuesTests
{
    [Theory]
    [InlineData((ushort)0x3C00, 1.0)]
    [InlineData((ushort)0xC000, -2.0)]
    [InlineData((ushort)0x7BFF, 65504.0)]
    [InlineData((ushort)0x0001, 5.960464477539063E-08)]
    [InlineData((ushort)0x7C00, double.PositiveInfinity)]
    [InlineData((ushort)0xFC00, double.NegativeInfinity)]
    public void ReadAsDouble_Fp16_Decoded(ushort bits, double expected) =>
        Assert.Equal(expected, TensorValues.ReadAsDouble(Bits(bits), TensorDataType.FP16, 0));

    [Theory]
    [InlineData((ushort)0x3F80, 1.0)]
    [InlineData((ushort)0xC040, -3.0)]
    [InlineData((ushort)0x4049, 3.140625)]
    [InlineData((ushort)0x7F80, double.PositiveInfinity)]
    [InlineData((ushort)0xFF80, double.NegativeInfinity)]
    public void ReadAsDouble_Bf16_Decoded(ushort bits, double expected) =>
        Assert.Equal(expected, TensorValues.ReadAsDouble(Bits(bits), TensorDataType.BF16, 0));

    [Theory]
    [InlineData(TensorDataType.FP16, (ushort)0x7E00)]
    [InlineData(TensorDataType.BF16, (ushort)0x7FC0)]
    public void ReadAsDouble_HalfNaN_IsNaN(TensorDataType type, ushort bits) =>
        Assert.True(double.IsNaN(TensorValues.ReadAsDouble(Bits(bits), type, 0)));

    [Fact]
    public void ReadAsDouble_Bf16NegativeZero_KeepsSign()
    {
        var value = TensorValues.ReadAsDouble(Bits(0x8000), TensorDataType.BF16, 0);

        Assert.Equal(0.0, value);
        Assert.True(double.IsNegative(value));
    }

    [Fact]
    public void ReadAsDouble_IndexIntoIntegerTensor_ReadsThatElement()
    {
        var data = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), -7);

        Assert.Equal(-7.0, TensorValues.ReadAsDouble(data, TensorDataType.Int32, 2));
    }

    [Theory]
    [InlineData(TensorDataType.Int8, new byte[] { 0xFF }, -1.0)]
    [InlineData(TensorDataType.UInt8, new byte[] { 0xFF }, 255.0)]
    [InlineData(TensorDataType.Bool, new byte[] { 1 }, 1.0)]
    [InlineData(TensorDataType.UInt16, new byte[] { 0xFF, 0xFF }, 65535.0)]
    [InlineData(TensorDataType.Int16, new byte[] { 0xFF, 0xFF }, -1.0)]
    public void ReadAsDouble_SmallIntegers_SignedAndUnsigned(TensorDataType type, byte[] data, double expected) =>
        Assert.Equal(expected, TensorValues.ReadAsDouble(data, type, 0));

    [Fact]
    public void ReadAsDouble_Bytes_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorValues.ReadAsDouble(new byte[4], TensorDataType.Bytes, 0));

    private static byte[] Bits(ushort bits)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, bits);
        return data;
    }
}
