using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Payloads;

/// <summary>Writes a <see cref="PayloadRecord"/> as one JSON line (the format of the files and the CloudEvents' data).</summary>
internal static class PayloadJson
{
    public static byte[] Serialize(PayloadRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, record);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter w, PayloadRecord r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.RequestId);
        if (r.TraceId is not null)
        {
            w.WriteString("trace_id", r.TraceId);
        }

        w.WriteString("model", r.Model);
        w.WriteString("version", r.Version.ToString(CultureInfo.InvariantCulture));
        w.WriteString("start", r.Start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("end", r.End.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("latency_us", r.LatencyUs);
        if (r.Error is null)
        {
            w.WriteString("status", "ok");
        }
        else
        {
            w.WriteString("status", r.Error.Code.ToString());
            w.WriteString("error", r.Error.Message);
        }

        WriteTensors(w, "inputs", r.Inputs);
        WriteTensors(w, "outputs", r.Outputs);
        w.WriteEndObject();
    }

    private static void WriteTensors(Utf8JsonWriter w, string name, IReadOnlyList<PayloadTensor>? tensors)
    {
        if (tensors is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var t in tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("datatype", t.DataType.ToWireName());
            w.WriteStartArray("shape");
            foreach (var d in t.Shape)
            {
                w.WriteNumberValue(d);
            }

            w.WriteEndArray();
            if (t.Redacted)
            {
                w.WriteBoolean("redacted", true);
            }
            else
            {
                w.WritePropertyName("data");
                WriteData(w, t);
                if (t.Truncated)
                {
                    w.WriteBoolean("truncated", true);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteData(Utf8JsonWriter w, PayloadTensor t)
    {
        w.WriteStartArray();
        var data = t.Data.AsSpan();
        if (t.DataType == TensorDataType.Bytes)
        {
            foreach (var s in BytesTensor.ToStrings(data))
            {
                w.WriteStringValue(s);
            }
        }
        else
        {
            var size = t.DataType.ElementSize();
            for (long i = 0; i < t.Elements; i++)
            {
                var s = data.Slice((int)(i * size), size);
                switch (t.DataType)
                {
                    case TensorDataType.Bool: w.WriteBooleanValue(s[0] != 0); break;
                    case TensorDataType.Int64: w.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(s)); break;
                    case TensorDataType.UInt64: w.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(s)); break;
                    case TensorDataType.FP32 when float.IsFinite(BinaryPrimitives.ReadSingleLittleEndian(s)): w.WriteNumberValue(BinaryPrimitives.ReadSingleLittleEndian(s)); break;
                    default:
                        var v = TensorValues.ReadAsDouble(data, t.DataType, i);
                        if (double.IsFinite(v))
                        {
                            w.WriteNumberValue(v);
                        }
                        else
                        {
                            w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
                        }

                        break;
                }
            }
        }

        w.WriteEndArray();
    }
}
