using System.Buffers.Binary;

namespace Turbine.Protocol;

/// <summary>
/// The protocol's 16-bit floating-point elements in raw (little-endian) layout: FP16 is IEEE 754 binary16
/// (<see cref="Half"/>); BF16 is bfloat16, the high 16 bits of an FP32, so it keeps FP32's range (±Inf, NaN,
/// subnormals) with 8 bits of precision. Conversions to BF16 round to nearest, ties to even, as frameworks do; a NaN
/// stays a (quiet) NaN.
/// </summary>
public static class HalfCodec
{
    /// <summary>Reads one FP16 element.</summary>
    public static Half ReadFp16(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadHalfLittleEndian(source);

    /// <summary>Writes one FP16 element (2 bytes).</summary>
    public static void WriteFp16(Span<byte> destination, Half value) => BinaryPrimitives.WriteHalfLittleEndian(destination, value);

    /// <summary>Reads one BF16 element as the FP32 it stands for (exact).</summary>
    public static float ReadBf16(ReadOnlySpan<byte> source) => Bf16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source));

    /// <summary>Writes <paramref name="value"/> as one BF16 element (2 bytes), rounded to nearest even.</summary>
    public static void WriteBf16(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(destination, SingleToBf16(value));

    /// <summary>The FP32 value of BF16 <paramref name="bits"/> (exact: BF16 is FP32 with the low 16 bits zero).</summary>
    public static float Bf16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>FP32 to BF16 bits with round-to-nearest-even; NaN stays NaN (quiet bit set), ±Inf stay ±Inf.</summary>
    public static ushort SingleToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>
    /// Double to BF16 bits with a single round-to-nearest-even: the double is first narrowed to float with
    /// round-to-odd (an inexact result keeps a set low bit), so the second rounding cannot land on a false tie.
    /// </summary>
    public static ushort DoubleToBf16(double value)
    {
        var f = (float)value;
        if (float.IsFinite(f) && f != value && (BitConverter.SingleToUInt32Bits(f) & 1) == 0)
        {
            f = value > f ? MathF.BitIncrement(f) : MathF.BitDecrement(f);
        }

        return SingleToBf16(f);
    }
}
