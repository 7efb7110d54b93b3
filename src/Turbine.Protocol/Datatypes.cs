using System.Runtime.CompilerServices;

namespace Turbine.Protocol;

/// <summary>
/// The Open Inference Protocol's tensor datatypes: their wire names (<c>FP32</c>, <c>BYTES</c>), their
/// <c>model_config.proto</c> names (<c>TYPE_FP32</c>, <c>TYPE_STRING</c>) and element sizes, in one table indexed by
/// Triton's <c>DataType</c> number (TYPE_INVALID = 0, TYPE_BOOL = 1 … TYPE_BF16 = 14). The client works with the wire
/// names; the engine's <c>TensorDataType</c> enum has the same numbers and reads the same table.
/// </summary>
public static class Datatypes
{
    /// <summary><c>BOOL</c>: one byte per element, 0 or 1.</summary>
    public const string Bool = "BOOL";

    /// <summary><c>UINT8</c>.</summary>
    public const string UInt8 = "UINT8";

    /// <summary><c>UINT16</c>.</summary>
    public const string UInt16 = "UINT16";

    /// <summary><c>UINT32</c>.</summary>
    public const string UInt32 = "UINT32";

    /// <summary><c>UINT64</c>.</summary>
    public const string UInt64 = "UINT64";

    /// <summary><c>INT8</c>.</summary>
    public const string Int8 = "INT8";

    /// <summary><c>INT16</c>.</summary>
    public const string Int16 = "INT16";

    /// <summary><c>INT32</c>.</summary>
    public const string Int32 = "INT32";

    /// <summary><c>INT64</c>.</summary>
    public const string Int64 = "INT64";

    /// <summary><c>FP16</c>: IEEE 754 half precision (see <see cref="HalfCodec"/>).</summary>
    public const string Fp16 = "FP16";

    /// <summary><c>FP32</c>.</summary>
    public const string Fp32 = "FP32";

    /// <summary><c>FP64</c>.</summary>
    public const string Fp64 = "FP64";

    /// <summary><c>BYTES</c>: variable-length elements framed as <see cref="BytesTensor"/> describes.</summary>
    public const string Bytes = "BYTES";

    /// <summary><c>BF16</c>: bfloat16, the high 16 bits of an FP32 (see <see cref="HalfCodec"/>).</summary>
    public const string Bf16 = "BF16";

    /// <summary>The highest <c>DataType</c> number of the table (<c>TYPE_BF16</c>).</summary>
    public const int MaxCode = 14;

    private static readonly string[] WireNames =
    [
        "INVALID", Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bytes, Bf16,
    ];

    private static readonly string[] ConfigNames =
    [
        "TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8",
        "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16",
    ];

    private static readonly int[] ElementSizes = [0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 0, 2];

    /// <summary>The wire name of DataType number <paramref name="code"/> (<c>INVALID</c> for 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not 0..<see cref="MaxCode"/>.</exception>
    public static string WireName(int code) => WireNames[CheckCode(code)];

    /// <summary>The <c>model_config.proto</c> enum name of DataType number <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not 0..<see cref="MaxCode"/>.</exception>
    public static string ConfigName(int code) => ConfigNames[CheckCode(code)];

    /// <summary>Bytes per element of DataType number <paramref name="code"/>; 0 for BYTES (variable) and INVALID.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not 0..<see cref="MaxCode"/>.</exception>
    public static int ElementSize(int code) => ElementSizes[CheckCode(code)];

    /// <summary>Bytes per element of a wire name, 0 for BYTES, -1 when the name is not a protocol datatype.</summary>
    public static int ElementSize(string datatype) =>
        TryParseWireName(datatype, out var code) ? ElementSizes[code] : -1;

    /// <summary>Whether <paramref name="datatype"/> is a protocol datatype name (case-sensitive, as the protocol is).</summary>
    public static bool IsKnown(string datatype) => TryParseWireName(datatype, out _);

    /// <summary>Parses a wire name (<c>FP32</c>, <c>BYTES</c>) into its DataType number; case-sensitive.</summary>
    public static bool TryParseWireName(ReadOnlySpan<char> name, out int code) => TryFind(WireNames, 1, name, out code);

    /// <summary>Parses a config enum name (<c>TYPE_FP32</c>, <c>TYPE_STRING</c>, also <c>TYPE_INVALID</c>).</summary>
    public static bool TryParseConfigName(ReadOnlySpan<char> name, out int code) => TryFind(ConfigNames, 0, name, out code);

    /// <summary>Every config enum name, indexed by DataType number (a fresh copy).</summary>
    public static string[] AllConfigNames() => (string[])ConfigNames.Clone();

    /// <summary>
    /// Whether elements of <typeparamref name="T"/> may be read from or written to a tensor of
    /// <paramref name="datatype"/>. Known CLR types must match their datatype (ushort also carries FP16/BF16 bits,
    /// byte also BOOL, <see cref="Half"/> is FP16); other unmanaged types only need the same element size.
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

    private static int CheckCode(int code)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(code);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, MaxCode);
        return code;
    }

    private static bool TryFind(string[] names, int first, ReadOnlySpan<char> name, out int code)
    {
        for (var i = first; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                code = i;
                return true;
            }
        }

        code = 0;
        return false;
    }
}
