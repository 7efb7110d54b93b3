using System.Buffers;
using System.Text.Json;

namespace Turbine.Gateway.Transforms;

/// <summary>
/// Open Inference Protocol v2 infer response → KServe v1 <c>{"predictions": [...]}</c>: one entry per instance,
/// each output's batch split into rows; with several outputs each entry is an object keyed by output name.
/// A BYTES output the server sent as base64 (<c>"parameters": {"content_type": "base64"}</c>: some element is not
/// UTF-8 text) comes back as <c>{"b64": "..."}</c> values, every element of that output, as KServe and TensorFlow
/// Serving encode binary values; text elements of other outputs stay JSON strings.
/// </summary>
internal static class V1ResponseTranslator
{
    /// <summary>The v1 body, or a 502 <see cref="V1Error"/> when the v2 response cannot be split into <paramref name="instances"/> predictions.</summary>
    public static V1Result<byte[]> Translate(JsonElement v2, int instances)
    {
        if (v2.ValueKind != JsonValueKind.Object || !v2.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
        {
            return new V1Error(502, "the server's answer has no 'outputs'");
        }

        var columns = new List<(string Name, JsonElement[] Flat, long[] RowShape, bool Base64)>();
        foreach (var output in outputs.EnumerateArray())
        {
            var name = output.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            if (!output.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return new V1Error(502, $"output '{name}' has no JSON 'data' to translate");
            }

            var shape = output.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Select(d => d.GetInt64()).ToArray()
                : [data.GetArrayLength()];
            long[] rowShape;
            if (shape.Length > 0 && shape[0] == instances)
            {
                rowShape = shape[1..];
            }
            else if (instances == 1)
            {
                rowShape = shape; // a model without a batch dimension: the whole tensor is the one prediction
            }
            else
            {
                return new V1Error(502, $"cannot split output '{name}' of shape [{string.Join(",", shape)}] into {instances} predictions");
            }

            var flat = data.EnumerateArray().ToArray();
            var rowSize = rowShape.Aggregate(1L, (a, b) => a * b);
            if (flat.Length != rowSize * instances)
            {
                return new V1Error(502, $"output '{name}' has {flat.Length} values, expected {rowSize * instances} for shape [{string.Join(",", shape)}]");
            }

            var base64 = output.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("content_type", out var contentType) && contentType.ValueKind == JsonValueKind.String
                && contentType.ValueEquals("base64"u8);
            columns.Add((name, flat, rowShape, base64));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, EdgeErrors.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("predictions");
            for (var i = 0; i < instances; i++)
            {
                if (columns.Count == 1)
                {
                    WriteRow(writer, columns[0], i);
                    continue;
                }

                writer.WriteStartObject();
                foreach (var column in columns)
                {
                    writer.WritePropertyName(column.Name);
                    WriteRow(writer, column, i);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRow(Utf8JsonWriter writer, (string Name, JsonElement[] Flat, long[] RowShape, bool Base64) column, int row)
    {
        var size = (int)column.RowShape.Aggregate(1L, (a, b) => a * b);
        var offset = row * size;
        WriteNested(writer, column.Flat, ref offset, column.RowShape, 0, column.Base64);
    }

    private static void WriteNested(Utf8JsonWriter writer, JsonElement[] flat, ref int offset, long[] shape, int depth, bool base64)
    {
        if (depth == shape.Length)
        {
            var value = flat[offset++];
            if (base64 && value.ValueKind == JsonValueKind.String)
            {
                // Already base64 text: passed on as it is, never decoded here.
                writer.WriteStartObject();
                writer.WritePropertyName("b64"u8);
                value.WriteTo(writer);
                writer.WriteEndObject();
                return;
            }

            value.WriteTo(writer);
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < shape[depth]; i++)
        {
            WriteNested(writer, flat, ref offset, shape, depth + 1, base64);
        }

        writer.WriteEndArray();
    }
}
