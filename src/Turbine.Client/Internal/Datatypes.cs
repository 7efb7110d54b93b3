using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Turbine.Client.Internal;

/// <summary>Protocol datatype names, element sizes and the CLR types that match them.</summary>
internal static class Datatypes
{
    public const string Bool = "BOOL";
    public const string UInt8 = "UINT8";
    public const string UInt16 = "UINT16";
    public const string UInt32 = "UINT32";
    public const string UInt64 = "UINT64";
    public const string Int8 = "INT8";
    public const string Int16 = "INT16";
    public const string Int32 = "INT32";
    public const string Int64 = "INT64";
    public const string Fp16 = "FP16";
    public const string Fp32 = "FP32";
    public const string Fp64 = "FP64";
    public const string Bytes = "BYTES";
    public const string Bf16 = "BF16";

    /// <summary>Bytes per element, 0 for BYTES, -1 when the name is not a protocol datatype.</summary>
    public static int ElementSize(string datatype) => datatype switch
    {
        Bool or UInt8 or Int8 => 1,
        UInt16 or Int16 or Fp16 or Bf16 => 2,
        UInt32 or Int32 or Fp32 => 4,
        UInt64 or Int64 or Fp64 => 8,
        Bytes => 0,
        _ => -1,
    };

    public static bool IsKnown(string datatype) => ElementSize(datatype) >= 0;

    /// <summary>
    /// Whether elements of <typeparamref name="T"/> may be read from or written to a tensor of
    /// <paramref name="datatype"/>. Known CLR types must match their datatype (ushort also reads FP16/BF16 bits,
    /// byte also reads BOOL); other unmanaged types only need the same element size.
    /// </summary>
    public static bool IsCompatible<T>(string datatype)
        where T : unmanaged
    {
        var t = typeof(T);
        if (t == typeof(bool))
        {
            return datatype == Bool;
        }

        if (t == typeof(byte))
        {
            return datatype is UInt8 or Bool;
        }

        if (t == typeof(sbyte))
        {
            return datatype == Int8;
        }

        if (t == typeof(short))
        {
            return datatype == Int16;
        }

        if (t == typeof(ushort))
        {
            return datatype is UInt16 or Fp16 or Bf16;
        }

        if (t == typeof(int))
        {
            return datatype == Int32;
        }

        if (t == typeof(uint))
        {
            return datatype == UInt32;
        }

        if (t == typeof(long))
        {
            return datatype == Int64;
        }

        if (t == typeof(ulong))
        {
            return datatype == UInt64;
        }

        if (t == typeof(Half))
        {
            return datatype == Fp16;
        }

        if (t == typeof(float))
        {
            return datatype == Fp32;
        }

        if (t == typeof(double))
        {
            return datatype == Fp64;
        }

        var size = ElementSize(datatype);
        return size > 0 && size == Unsafe.SizeOf<T>();
    }

    /// <summary>Product of the dims, or -1 when a dim is negative (variable).</summary>
    public static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            count = checked(count * dim);
        }

        return count;
    }

    public static string FormatShape(long[] shape) =>
        "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>Counts the elements of a BYTES tensor in protocol layout, or -1 when the layout is malformed.</summary>
    public static long CountBytesElements(ReadOnlySpan<byte> raw)
    {
        long count = 0;
        while (!raw.IsEmpty)
        {
            if (raw.Length < 4)
            {
                return -1;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw);
            if (length > (uint)(raw.Length - 4))
            {
                return -1;
            }

            raw = raw[(4 + (int)length)..];
            count++;
        }

        return count;
    }

    /// <summary>float → bfloat16 bits with round-to-nearest-even (NaN stays NaN).</summary>
    public static ushort FloatToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float Bf16ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
