using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Turbine.Core.Tensors;

namespace Turbine.Server.Http;

/// <summary>Writes a tensor's raw bytes as a flat JSON <c>data</c> array.</summary>
internal static class JsonTensorWriter
{
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor)
    {
        var data = tensor.Data.Span;
        writer.WriteStartArray("data");
        if (tensor.DataType == TensorDataType.Bytes)
        {
            foreach (var element in BytesTensor.Enumerate(data))
            {
                if (System.Text.Unicode.Utf8.IsValid(element))
                {
                    writer.WriteStringValue(element);
                }
                else
                {
                    writer.WriteStringValue(Encoding.UTF8.GetString(element));
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
                case TensorDataType.BF16: WriteFloat(writer, BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16)); break;
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
