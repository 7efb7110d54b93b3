using System.Buffers.Binary;
using System.Text.Json;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Server.Http;

/// <summary>Writes a tensor's raw bytes as a flat JSON <c>data</c> array.</summary>
internal static class JsonTensorWriter
{
    /// <summary>The output parameter that marks BYTES data written as base64 (MLServer's name and value).</summary>
    public const string ContentTypeParameter = "content_type";

    public const string Base64ContentType = "base64";

    /// <summary>
    /// True when a BYTES tensor must be written as base64: some element is not valid UTF-8, so it has no JSON string
    /// form (replacing the bad bytes with U+FFFD would change the data without saying so).
    /// </summary>
    public static bool NeedsBase64(InferenceTensor tensor)
    {
        if (tensor.DataType != TensorDataType.Bytes)
        {
            return false;
        }

        foreach (var element in BytesTensor.Enumerate(tensor.Data.Span))
        {
            if (!System.Text.Unicode.Utf8.IsValid(element))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes <c>data</c>. BYTES elements are JSON strings, or with <paramref name="base64"/> (see
    /// <see cref="NeedsBase64"/>) the base64 of every element; the caller marks the output with
    /// <c>"content_type": "base64"</c>.
    /// </summary>
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor, bool base64 = false)
    {
        var data = tensor.Data.Span;
        writer.WriteStartArray("data");
        if (tensor.DataType == TensorDataType.Bytes)
        {
            foreach (var element in BytesTensor.Enumerate(data))
            {
                if (base64)
                {
                    writer.WriteBase64StringValue(element);
                }
                else
                {
                    writer.WriteStringValue(element);
                }
            }

            writer.WriteEndArray();
            return;
        }

        var size = tensor.DataType.ElementSize();
        var count = data.Length / size;
        for (var i = 0; i < count; i++)
        {
            var s = data.Slice(i * size, size);
            switch (tensor.DataType)
            {
                case TensorDataType.Bool: writer.WriteBooleanValue(s[0] != 0); break;
                case TensorDataType.UInt8: writer.WriteNumberValue(s[0]); break;
                case TensorDataType.Int8: writer.WriteNumberValue((sbyte)s[0]); break;
                case TensorDataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(s)); break;
                case TensorDataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(s)); break;
                case TensorDataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(s)); break;
                case TensorDataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(s)); break;
                case TensorDataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(s)); break;
                case TensorDataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(s)); break;
                case TensorDataType.FP16: WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(s)); break;
                case TensorDataType.BF16: WriteFloat(writer, HalfCodec.ReadBf16(s)); break;
                case TensorDataType.FP32: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(s)); break;
                case TensorDataType.FP64: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(s)); break;
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
