using System.Diagnostics.CodeAnalysis;
using Turbine.Protocol;

namespace Turbine.Core.Tensors;

/// <summary>
/// Conversions between <see cref="TensorDataType"/> and its protocol and config spellings, read from the one
/// datatype table in <see cref="Datatypes"/> (the enum's numbers are the table's DataType numbers).
/// </summary>
public static class TensorDataTypes
{
    /// <summary>The protocol name: <c>FP32</c>, <c>BYTES</c>, …</summary>
    public static string ToWireName(this TensorDataType type) => Datatypes.WireName((int)type);

    /// <summary>The config enum name: <c>TYPE_FP32</c>, <c>TYPE_STRING</c>, …</summary>
    public static string ToConfigName(this TensorDataType type) => Datatypes.ConfigName((int)type);

    /// <summary>Bytes per element in the raw layout; 0 for <see cref="TensorDataType.Bytes"/> (variable).</summary>
    public static int ElementSize(this TensorDataType type) => Datatypes.ElementSize((int)type);

    /// <summary>Parses a protocol name (<c>FP32</c>, <c>BYTES</c>); case-sensitive as the protocol is.</summary>
    public static bool TryParseWireName(ReadOnlySpan<char> name, out TensorDataType type)
    {
        var ok = Datatypes.TryParseWireName(name, out var code);
        type = (TensorDataType)code;
        return ok;
    }

    /// <summary>Parses a config enum name (<c>TYPE_FP32</c>, <c>TYPE_STRING</c>).</summary>
    public static bool TryParseConfigName(ReadOnlySpan<char> name, out TensorDataType type)
    {
        var ok = Datatypes.TryParseConfigName(name, out var code);
        type = (TensorDataType)code;
        return ok;
    }

    /// <summary>All valid types, in enum order (excludes <see cref="TensorDataType.Invalid"/>).</summary>
    [SuppressMessage("Performance", "CA1819", Justification = "Returns a fresh copy.")]
    public static TensorDataType[] All()
    {
        var all = new TensorDataType[Datatypes.MaxCode];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (TensorDataType)(i + 1);
        }

        return all;
    }
}
