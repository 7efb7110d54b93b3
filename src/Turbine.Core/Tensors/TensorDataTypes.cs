using System.Diagnostics.CodeAnalysis;

namespace Turbine.Core.Tensors;

/// <summary>Conversions between <see cref="TensorDataType"/> and its protocol and config spellings.</summary>
public static class TensorDataTypes
{
    private static readonly string[] WireNames =
    [
        "INVALID", "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
        "FP16", "FP32", "FP64", "BYTES", "BF16",
    ];

    private static readonly string[] ConfigNames =
    [
        "TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8",
        "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16",
    ];

    private static readonly int[] ElementSizes = [0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 0, 2];

    /// <summary>The protocol name: <c>FP32</c>, <c>BYTES</c>, …</summary>
    public static string ToWireName(this TensorDataType type) => WireNames[(int)type];

    /// <summary>The config enum name: <c>TYPE_FP32</c>, <c>TYPE_STRING</c>, …</summary>
    public static string ToConfigName(this TensorDataType type) => ConfigNames[(int)type];

    /// <summary>Bytes per element in the raw layout; 0 for <see cref="TensorDataType.Bytes"/> (variable).</summary>
    public static int ElementSize(this TensorDataType type) => ElementSizes[(int)type];

    /// <summary>Parses a protocol name (<c>FP32</c>, <c>BYTES</c>); case-sensitive as the protocol is.</summary>
    public static bool TryParseWireName(ReadOnlySpan<char> name, out TensorDataType type)
    {
        for (var i = 1; i < WireNames.Length; i++)
        {
            if (name.SequenceEqual(WireNames[i]))
            {
                type = (TensorDataType)i;
                return true;
            }
        }

        type = TensorDataType.Invalid;
        return false;
    }

    /// <summary>Parses a config enum name (<c>TYPE_FP32</c>, <c>TYPE_STRING</c>).</summary>
    public static bool TryParseConfigName(ReadOnlySpan<char> name, out TensorDataType type)
    {
        for (var i = 0; i < ConfigNames.Length; i++)
        {
            if (name.SequenceEqual(ConfigNames[i]))
            {
                type = (TensorDataType)i;
                return true;
            }
        }

        type = TensorDataType.Invalid;
        return false;
    }

    /// <summary>All valid types, in enum order (excludes <see cref="TensorDataType.Invalid"/>).</summary>
    [SuppressMessage("Performance", "CA1819", Justification = "Returns a fresh copy.")]
    public static TensorDataType[] All()
    {
        var all = new TensorDataType[WireNames.Length - 1];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (TensorDataType)(i + 1);
        }

        return all;
    }
}
