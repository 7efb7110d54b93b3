using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Turbine.Client.Internal;

/// <summary>
/// Formats protobuf messages as JSON in the shape Turbine's and Triton's REST endpoints use: original
/// (snake_case) field names, default values written, enums by name, and 64-bit integers as JSON numbers (the
/// protobuf JSON mapping writes them as strings).
/// </summary>
internal static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    /// <param name="message">The message to format.</param>
    /// <param name="fillMessages">
    /// Also write unset singular message fields (outside oneofs) with their defaults, as the REST statistics do
    /// (<c>"fail":{"count":0,"ns":0}</c>) where the protobuf JSON mapping leaves them out.
    /// </param>
    public static JsonDocument ToDocument(IMessage message, bool fillMessages = false)
    {
        using var mapped = JsonDocument.Parse(Formatter.Format(message));
        using var buffer = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMessage(writer, mapped.RootElement, message.Descriptor, fillMessages);
        }

        return JsonDocument.Parse(buffer.WrittenMemory.ToArray());
    }

    private static void WriteMessage(Utf8JsonWriter writer, JsonElement element, MessageDescriptor descriptor, bool fill)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            element.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var property in element.EnumerateObject())
        {
            if (fill && property.Value.ValueKind == JsonValueKind.Null && IsFillable(descriptor.FindFieldByName(property.Name)))
            {
                continue; // written with its defaults below
            }

            writer.WritePropertyName(property.Name);
            var field = descriptor.FindFieldByName(property.Name);
            if (field is null)
            {
                property.Value.WriteTo(writer);
            }
            else if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                writer.WriteStartObject();
                foreach (var entry in property.Value.EnumerateObject())
                {
                    writer.WritePropertyName(entry.Name);
                    WriteValue(writer, entry.Value, valueField, fill);
                }

                writer.WriteEndObject();
            }
            else if (field.IsRepeated && property.Value.ValueKind == JsonValueKind.Array)
            {
                writer.WriteStartArray();
                foreach (var item in property.Value.EnumerateArray())
                {
                    WriteValue(writer, item, field, fill);
                }

                writer.WriteEndArray();
            }
            else
            {
                WriteValue(writer, property.Value, field, fill);
            }
        }

        if (fill)
        {
            foreach (var field in descriptor.Fields.InDeclarationOrder())
            {
                if (IsFillable(field)
                    && (!element.TryGetProperty(field.Name, out var present) || present.ValueKind == JsonValueKind.Null))
                {
                    writer.WritePropertyName(field.Name);
                    var empty = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                    using var defaults = JsonDocument.Parse(Formatter.Format(empty));
                    WriteMessage(writer, defaults.RootElement, field.MessageType, fill);
                }
            }
        }

        writer.WriteEndObject();
    }

    private static bool IsFillable(FieldDescriptor? field) =>
        field is { FieldType: FieldType.Message, IsRepeated: false, IsMap: false, ContainingOneof: null };

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, FieldDescriptor field, bool fill)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when value.ValueKind == JsonValueKind.Object:
                WriteMessage(writer, value, field.MessageType, fill);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64
                when value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var l):
                writer.WriteNumberValue(l);
                break;
            case FieldType.UInt64 or FieldType.Fixed64
                when value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var ul):
                writer.WriteNumberValue(ul);
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
