using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Turbine.Protocol;

namespace Turbine.Client.Internal;

/// <summary>Converts a JSON "data" array (flat or nested) into protocol raw bytes for a datatype.</summary>
internal static class JsonTensorData
{
    /// <param name="data">The JSON array of values, flat or nested.</param>
    /// <param name="datatype">The protocol datatype name the bytes are encoded as.</param>
    /// <param name="expectedCount">Element count from the shape, or -1 when unknown.</param>
    /// <exception cref="FormatException">A value does not fit the datatype, or the count does not match the shape.</exception>
    public static byte[] ToRaw(JsonElement data, string datatype, long expectedCount)
    {
        var size = Datatypes.ElementSize(datatype);
        if (size < 0)
        {
            throw new FormatException($"unknown datatype '{datatype}'");
        }

        using var buffer = new PooledBufferWriter(expectedCount > 0 && size > 0 ? (int)Math.Min(expectedCount * size, 1 << 20) : 256);
        long count = 0;
        Append(data, datatype, buffer, ref count);
        if (expectedCount >= 0 && count != expectedCount)
        {
            throw new FormatException($"data has {count} elements but the shape needs {expectedCount}");
        }

        return buffer.ToArray();
    }

    private static void Append(JsonElement element, string datatype, PooledBufferWriter buffer, ref long count)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Append(item, datatype, buffer, ref count);
            }

            return;
        }

        AppendScalar(element, datatype, buffer);
        count++;
    }

    private static void AppendScalar(JsonElement value, string datatype, PooledBufferWriter buffer)
    {
        switch (datatype)
        {
            case Datatypes.Bool:
                var flag = value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number when value.TryGetInt64(out var n) && n is 0 or 1 => n == 1,
                    _ => throw Invalid(value, datatype),
                };
                buffer.GetSpan(1)[0] = flag ? (byte)1 : (byte)0;
                buffer.Advance(1);
                break;
            case Datatypes.UInt8:
                buffer.GetSpan(1)[0] = value.ValueKind == JsonValueKind.Number && value.TryGetByte(out var u8) ? u8 : throw Invalid(value, datatype);
                buffer.Advance(1);
                break;
            case Datatypes.Int8:
                buffer.GetSpan(1)[0] = value.ValueKind == JsonValueKind.Number && value.TryGetSByte(out var i8) ? (byte)i8 : throw Invalid(value, datatype);
                buffer.Advance(1);
                break;
            case Datatypes.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), Number(value, datatype, static (JsonElement v, out ushort r) => v.TryGetUInt16(out r)));
                buffer.Advance(2);
                break;
            case Datatypes.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(buffer.GetSpan(2), Number(value, datatype, static (JsonElement v, out short r) => v.TryGetInt16(out r)));
                buffer.Advance(2);
                break;
            case Datatypes.UInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(4), Number(value, datatype, static (JsonElement v, out uint r) => v.TryGetUInt32(out r)));
                buffer.Advance(4);
                break;
            case Datatypes.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), Number(value, datatype, static (JsonElement v, out int r) => v.TryGetInt32(out r)));
                buffer.Advance(4);
                break;
            case Datatypes.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), Number(value, datatype, static (JsonElement v, out ulong r) => v.TryGetUInt64(out r)));
                buffer.Advance(8);
                break;
            case Datatypes.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), Number(value, datatype, static (JsonElement v, out long r) => v.TryGetInt64(out r)));
                buffer.Advance(8);
                break;
            case Datatypes.Fp16:
                BinaryPrimitives.WriteHalfLittleEndian(buffer.GetSpan(2), (Half)Number(value, datatype, static (JsonElement v, out double r) => v.TryGetDouble(out r)));
                buffer.Advance(2);
                break;
            case Datatypes.Bf16:
                HalfCodec.WriteBf16(buffer.GetSpan(2), Number(value, datatype, static (JsonElement v, out float r) => v.TryGetSingle(out r)));
                buffer.Advance(2);
                break;
            case Datatypes.Fp32:
                BinaryPrimitives.WriteSingleLittleEndian(buffer.GetSpan(4), Number(value, datatype, static (JsonElement v, out float r) => v.TryGetSingle(out r)));
                buffer.Advance(4);
                break;
            case Datatypes.Fp64:
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), Number(value, datatype, static (JsonElement v, out double r) => v.TryGetDouble(out r)));
                buffer.Advance(8);
                break;
            case Datatypes.Bytes:
                if (value.ValueKind != JsonValueKind.String)
                {
                    throw Invalid(value, datatype);
                }

                var text = value.GetString() ?? string.Empty;
                buffer.Advance(BytesTensor.WriteElement(buffer.GetSpan(4 + Encoding.UTF8.GetByteCount(text)), text));
                break;
            default:
                throw new FormatException($"unknown datatype '{datatype}'");
        }
    }

    private delegate bool TryGet<T>(JsonElement value, out T result);

    private static T Number<T>(JsonElement value, string datatype, TryGet<T> tryGet) =>
        value.ValueKind == JsonValueKind.Number && tryGet(value, out var result) ? result : throw Invalid(value, datatype);

    private static FormatException Invalid(JsonElement value, string datatype) =>
        new($"value {value.GetRawText()} is not a valid {datatype} element");
}
