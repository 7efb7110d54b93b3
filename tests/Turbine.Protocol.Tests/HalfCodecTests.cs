namespace Turbine.Protocol.Tests;

public sealed class HalfCodecTests
{
    [Fact]
    public void Bf16_EveryNonNaNBitPattern_RoundTripsExactly()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = HalfCodec.Bf16ToSingle((ushort)bits);
            if (float.IsNaN(value))
            {
                Assert.True(float.IsNaN(HalfCodec.Bf16ToSingle(HalfCodec.SingleToBf16(value))));
                continue;
            }

            Assert.Equal((ushort)bits, HalfCodec.SingleToBf16(value));
        }
    }

    [Theory]
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    [InlineData(float.NegativeInfinity, (ushort)0xFF80)]
    [InlineData(0f, (ushort)0x0000)]
    [InlineData(-0f, (ushort)0x8000)]
    [InlineData(1f, (ushort)0x3F80)]
    [InlineData(float.MaxValue, (ushort)0x7F80)] // rounds up past BF16's largest finite value
    [InlineData(float.Epsilon, (ushort)0x0000)] // the smallest FP32 subnormal is below half of BF16's smallest
    public void SingleToBf16_EdgeValues(float value, ushort expected) => Assert.Equal(expected, HalfCodec.SingleToBf16(value));

    [Fact]
    public void SingleToBf16_Subnormal_KeptAsBf16Subnormal()
    {
        var smallest = BitConverter.UInt32BitsToSingle(0x0001_0000); // BF16 0x0001: the smallest subnormal

        Assert.Equal((ushort)0x0001, HalfCodec.SingleToBf16(smallest));
        Assert.Equal(smallest, HalfCodec.Bf16ToSingle(0x0001));
        Assert.True(float.IsSubnormal(HalfCodec.Bf16ToSingle(0x0001)));
    }

    [Theory]
    [InlineData(0x3F80_8000u, (ushort)0x3F80)] // a tie between 0x3F80 and 0x3F81: to the even one
    [InlineData(0x3F81_8000u, (ushort)0x3F82)] // a tie between 0x3F81 and 0x3F82: to the even one
    [InlineData(0x3F80_8001u, (ushort)0x3F81)] // just above the tie: up
    [InlineData(0x3F80_7FFFu, (ushort)0x3F80)] // just below the tie: down
    public void SingleToBf16_RoundsToNearestEven(uint floatBits, ushort expected) =>
        Assert.Equal(expected, HalfCodec.SingleToBf16(BitConverter.UInt32BitsToSingle(floatBits)));

    [Fact]
    public void SingleToBf16_NaN_StaysNaNEvenWithOnlyLowPayloadBits()
    {
        // A signalling NaN whose payload is all in the low 16 bits would truncate (or round) to infinity.
        var nan = BitConverter.UInt32BitsToSingle(0x7F80_0001);

        var bits = HalfCodec.SingleToBf16(nan);

        Assert.True(float.IsNaN(HalfCodec.Bf16ToSingle(bits)));
        Assert.Equal(0x0040, bits & 0x0040);
    }

    [Fact]
    public void DoubleToBf16_JustAboveATie_RoundsOnceNotTwice()
    {
        // 1 + 2^-8 + 2^-40: narrowing to float first gives the tie 1 + 2^-8, which would then round to even (1.0).
        var value = 1 + Math.Pow(2, -8) + Math.Pow(2, -40);

        Assert.Equal((ushort)0x3F81, HalfCodec.DoubleToBf16(value));
        Assert.Equal((ushort)0x3F80, HalfCodec.SingleToBf16((float)value));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e300)] // beyond FP32: infinity
    public void DoubleToBf16_NonFinite_SameAsSingle(double value) =>
        Assert.Equal(HalfCodec.SingleToBf16((float)value), HalfCodec.DoubleToBf16(value));

    [Fact]
    public void ReadWriteBf16_LittleEndian()
    {
        var buffer = new byte[2];

        HalfCodec.WriteBf16(buffer, -2f);

        Assert.Equal(new byte[] { 0x00, 0xC0 }, buffer);
        Assert.Equal(-2f, HalfCodec.ReadBf16(buffer));
    }

    [Fact]
    public void Fp16_EveryBitPattern_RoundTripsThroughRawLayout()
    {
        var buffer = new byte[2];
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BitConverter.UInt16BitsToHalf((ushort)bits);

            HalfCodec.WriteFp16(buffer, value);

            Assert.Equal((byte)bits, buffer[0]);
            Assert.Equal((byte)(bits >> 8), buffer[1]);
            Assert.Equal((ushort)bits, BitConverter.HalfToUInt16Bits(HalfCodec.ReadFp16(buffer)));
        }
    }

    [Fact]
    public void Fp16_EdgeValues_ReadBack()
    {
        var buffer = new byte[2];
        foreach (var value in new[] { Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity, Half.Epsilon, Half.MaxValue, Half.NegativeZero })
        {
            HalfCodec.WriteFp16(buffer, value);
            var back = HalfCodec.ReadFp16(buffer);

            Assert.Equal(BitConverter.HalfToUInt16Bits(value), BitConverter.HalfToUInt16Bits(back));
        }

        HalfCodec.WriteFp16(buffer, Half.Epsilon);
        Assert.True(Half.IsSubnormal(HalfCodec.ReadFp16(buffer)));
    }
}
