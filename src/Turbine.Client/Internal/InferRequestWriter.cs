using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Turbine.Protocol;

namespace Turbine.Client.Internal;

/// <summary>Writes the JSON header of an inference request and collects the binary sections that follow it.</summary>
internal static class InferRequestWriter
{
    /// <summary>
    /// Writes the JSON header into <paramref name="json"/> and returns the raw sections to append, in input order.
    /// An empty list means the request is pure JSON.
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Write(
        PooledBufferWriter json,
        IReadOnlyList<InferInput> inputs,
        IReadOnlyList<InferRequestedOutput>? outputs,
        InferOptions? options)
    {
        var jsonOnly = options?.JsonOnly ?? false;
        var sections = new List<ReadOnlyMemory<byte>>();
        using var writer = new Utf8JsonWriter(json, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        if (options?.RequestId is { } id)
        {
            writer.WriteString("id"u8, id);
        }

        WriteParameters(writer, outputs, options);

        writer.WritePropertyName("inputs"u8);
        writer.WriteStartArray();
        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (!input.HasData)
            {
                throw new ArgumentException(
                    $"input '{input.Name}' has no data; call SetData, SetStrings, SetBytesElements or SetRaw", nameof(inputs));
            }

            writer.WriteStartObject();
            writer.WriteString("name"u8, input.Name);
            writer.WritePropertyName("shape"u8);
            writer.WriteStartArray();
            foreach (var dim in input.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WriteString("datatype"u8, input.Datatype);
            if (input.Binary && !jsonOnly)
            {
                writer.WritePropertyName("parameters"u8);
                writer.WriteStartObject();
                writer.WriteNumber("binary_data_size"u8, input.RawData.Length);
                writer.WriteEndObject();
                sections.Add(input.RawData);
            }
            else
            {
                writer.WritePropertyName("data"u8);
                WriteJsonData(writer, input);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        if (outputs is not null)
        {
            writer.WritePropertyName("outputs"u8);
            writer.WriteStartArray();
            foreach (var output in outputs)
            {
                ArgumentNullException.ThrowIfNull(output, nameof(outputs));
                writer.WriteStartObject();
                writer.WriteString("name"u8, output.Name);
                writer.WritePropertyName("parameters"u8);
                writer.WriteStartObject();
                writer.WriteBoolean("binary_data"u8, output.Binary && !jsonOnly);
                if (output.ClassCount > 0)
                {
                    writer.WriteNumber("classification"u8, output.ClassCount);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.Flush();
        return sections;
    }

    private static void WriteParameters(Utf8JsonWriter writer, IReadOnlyList<InferRequestedOutput>? outputs, InferOptions? options)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        bool? binaryOutput = options?.BinaryDataOutput;
        if (binaryOutput is null && outputs is null && !(options?.JsonOnly ?? false))
        {
            binaryOutput = true;
        }

        var any = binaryOutput is not null || options?.Priority is not null || options?.TimeoutMicroseconds is not null
            || options?.Parameters is { Count: > 0 };
        if (!any)
        {
            return;
        }

        writer.WritePropertyName("parameters"u8);
        writer.WriteStartObject();
        if (options?.Priority is { } priority)
        {
            writer.WriteNumber("priority"u8, priority);
            written.Add("priority");
        }

        if (options?.TimeoutMicroseconds is { } timeout)
        {
            writer.WriteNumber("timeout"u8, timeout);
            written.Add("timeout");
        }

        if (binaryOutput is { } binary)
        {
            writer.WriteBoolean("binary_data_output"u8, binary);
            written.Add("binary_data_output");
        }

        if (options?.Parameters is { } parameters)
        {
            foreach (var (key, value) in parameters)
            {
                if (!written.Add(key))
                {
                    continue;
                }

                writer.WritePropertyName(key);
                WriteParameterValue(writer, key, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteParameterValue(Utf8JsonWriter writer, string key, object? value)
    {
        switch (value)
        {
            case bool b: writer.WriteBooleanValue(b); break;
            case string s: writer.WriteStringValue(s); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case uint ui: writer.WriteNumberValue(ui); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case short sh: writer.WriteNumberValue(sh); break;
            case ushort us: writer.WriteNumberValue(us); break;
            case byte by: writer.WriteNumberValue(by); break;
            case sbyte sb: writer.WriteNumberValue(sb); break;
            case float f: writer.WriteNumberValue(f); break;
            case double d: writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case JsonElement e: e.WriteTo(writer); break;
            default:
                throw new ArgumentException(
                    $"request parameter '{key}' has a value of type {value?.GetType().Name ?? "null"}; expected bool, string, a number or a JsonElement");
        }
    }

    /// <summary>Writes the input's data as a flat JSON array.</summary>
    internal static void WriteJsonData(Utf8JsonWriter writer, InferInput input)
    {
        var raw = input.RawData.Span;
        writer.WriteStartArray();
        switch (input.Datatype)
        {
            case Datatypes.Bool:
                foreach (var b in raw)
                {
                    writer.WriteBooleanValue(b != 0);
                }

                break;
            case Datatypes.UInt8:
                foreach (var b in raw)
                {
                    writer.WriteNumberValue(b);
                }

                break;
            case Datatypes.Int8:
                foreach (var b in raw)
                {
                    writer.WriteNumberValue((sbyte)b);
                }

                break;
            case Datatypes.UInt16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Int16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.UInt32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Int32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.UInt64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Int64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Fp16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    WriteFloat(writer, input, (double)BinaryPrimitives.ReadHalfLittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Bf16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    WriteFloat(writer, input, HalfCodec.ReadBf16(raw[i..]));
                }

                break;
            case Datatypes.Fp32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    WriteFloat(writer, input, BinaryPrimitives.ReadSingleLittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Fp64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    WriteFloat(writer, input, BinaryPrimitives.ReadDoubleLittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Bytes:
                WriteBytesElements(writer, input, raw);
                break;
            default:
                throw new ArgumentException($"input '{input.Name}': unknown datatype '{input.Datatype}'");
        }

        writer.WriteEndArray();
    }

    private static void WriteFloat(Utf8JsonWriter writer, InferInput input, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException(
                $"input '{input.Name}': {input.Datatype} value {value.ToString(CultureInfo.InvariantCulture)} cannot be written as JSON; send the input binary");
        }

        writer.WriteNumberValue(value);
    }

    private static void WriteFloat(Utf8JsonWriter writer, InferInput input, float value)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentException(
                $"input '{input.Name}': {input.Datatype} value {value.ToString(CultureInfo.InvariantCulture)} cannot be written as JSON; send the input binary");
        }

        writer.WriteNumberValue(value);
    }

    private static void WriteBytesElements(Utf8JsonWriter writer, InferInput input, ReadOnlySpan<byte> raw)
    {
        var index = 0;
        foreach (var element in BytesTensor.Enumerate(raw))
        {
            if (!Utf8.IsValid(element))
            {
                throw new ArgumentException(
                    $"input '{input.Name}': BYTES element {index} is not valid UTF-8 and cannot be written as a JSON string; send the input binary");
            }

            writer.WriteStringValue(element);
            index++;
        }
    }
}
