using System.Buffers.Binary;
using Turbine.Protocol;

namespace Turbine.Core.Tensors;

/// <summary>Reads single elements of a raw numeric tensor as double, whatever its type.</summary>
public static class TensorValues
{
    public static double ReadAsDouble(ReadOnlySpan<byte> data, TensorDataType type, long index)
    {
        var size = type.ElementSize();
        var s = data.Slice(checked((int)(index * size)), size);
        return type switch
        {
            TensorDataType.Bool => s[0] != 0 ? 1 : 0,
            TensorDataType.UInt8 => s[0],
            TensorDataType.Int8 => (sbyte)s[0],
            TensorDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s),
            TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(s),
            TensorDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s),
            TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s),
            TensorDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(s),
            TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s),
            TensorDataType.FP16 => (double)BinaryPrimitives.ReadHalfLittleEndian(s),
            TensorDataType.BF16 => HalfCodec.ReadBf16(s),
            TensorDataType.FP32 => BinaryPrimitives.ReadSingleLittleEndian(s),
            TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(s),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a numeric type"),
        };
    }

    public static bool IsFloatingPoint(this TensorDataType type) =>
        type is TensorDataType.FP16 or TensorDataType.BF16 or TensorDataType.FP32 or TensorDataType.FP64;
}
