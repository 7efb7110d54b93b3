using System.Globalization;
using System.Text.Json;

namespace Turbine.Batch.Tables;

/// <summary>JSON ↔ the cell values a batch job carries (long, double, bool, string, null, object?[]).</summary>
internal static class JsonValues
{
    /// <summary>The cell value of <paramref name="element"/>; objects become their JSON text.</summary>
    public static object? ToCell(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ToCell).ToArray(),
        _ => element.GetRawText(),
    };

    /// <summary>The kind a first value suggests for its column.</summary>
    public static ColumnKind KindOf(object? value) => value switch
    {
        long => ColumnKind.Int64,
        double => ColumnKind.Double,
        bool => ColumnKind.Bool,
        object?[] => ColumnKind.List,
        _ => ColumnKind.String,
    };

    /// <summary>Parses the text of a CSV cell that holds a JSON array (<c>[1,2,3]</c>) into a list cell.</summary>
    public static bool TryParseArrayText(string text, out object?[] values)
    {
        values = [];
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '[')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            values = (object?[])ToCell(document.RootElement)!;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Writes a cell as JSON.</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case float f:
                WriteDouble(writer, f);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case float[] or double[]:
                Write(writer, Boxed(value));
                break;
            case object?[] list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>
    /// A list cell as <c>object?[]</c>: Parquet float/double lists without nulls are read as typed arrays (no boxing per
    /// element on the scoring path); slower paths (writing kept columns) box them here.
    /// </summary>
    public static object? Boxed(object? cell) => cell switch
    {
        float[] f => Array.ConvertAll(f, v => (object?)(double)v),
        double[] d => Array.ConvertAll(d, v => (object?)v),
        _ => cell,
    };

    private static void WriteDouble(Utf8JsonWriter writer, double d)
    {
        if (double.IsFinite(d))
        {
            writer.WriteNumberValue(d);
        }
        else
        {
            // JSON has no NaN/Infinity: written as strings, as Triton's JSON does.
            writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A cell as CSV text: numbers invariant (round-trip), lists as JSON arrays.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        object?[] => ToJson(value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string ToJson(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
