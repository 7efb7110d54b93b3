using System.Globalization;
using System.Text.Json;
using Turbine.Features.Definitions;

namespace Turbine.Features.Values;

/// <summary>
/// Feature values as boxed CLR values of one type per <see cref="FeatureType"/> (int, long, float, double, string,
/// bool, <see cref="DateTime"/> UTC, byte[]); null is a missing value. Coercion from source columns and JSON.
/// </summary>
public static class FeatureValues
{
    /// <summary>Converts <paramref name="raw"/> (any CLR value a source or JSON gives) to <paramref name="type"/>; throws <see cref="FormatException"/> naming what was wrong.</summary>
    public static object? Coerce(object? raw, FeatureType type)
    {
        switch (raw)
        {
            case null or DBNull:
                return null;
            case JsonElement j:
                return FromJson(j, type);
            case string s when type != FeatureType.String:
                return ParseText(s, type);
            default:
                break;
        }

        try
        {
            return type switch
            {
                FeatureType.Int32 => raw is double or float ? checked((int)ExactInteger(Convert.ToDouble(raw, CultureInfo.InvariantCulture))) : Convert.ToInt32(raw, CultureInfo.InvariantCulture),
                FeatureType.Int64 => raw is double or float ? ExactInteger(Convert.ToDouble(raw, CultureInfo.InvariantCulture)) : Convert.ToInt64(raw, CultureInfo.InvariantCulture),
                FeatureType.Float32 => Convert.ToSingle(raw, CultureInfo.InvariantCulture),
                FeatureType.Float64 => Convert.ToDouble(raw, CultureInfo.InvariantCulture),
                FeatureType.Bool => Convert.ToBoolean(raw, CultureInfo.InvariantCulture),
                FeatureType.String => raw is string s ? s : Convert.ToString(raw, CultureInfo.InvariantCulture),
                FeatureType.UnixTimestamp => ToUtc(raw),
                _ => raw as byte[] ?? throw new FormatException($"expected bytes, got {raw.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            throw new FormatException($"'{raw}' is not a valid {FeatureTypes.Name(type)}", e);
        }
    }

    private static long ExactInteger(double d) =>
        Math.Floor(d) == d && Math.Abs(d) < 9.2e18 ? (long)d : throw new FormatException($"'{d.ToString(CultureInfo.InvariantCulture)}' is not an integer");

    private static object? FromJson(JsonElement j, FeatureType type) => j.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => type == FeatureType.String ? j.GetString() : ParseText(j.GetString()!, type),
        JsonValueKind.True or JsonValueKind.False when type is FeatureType.Bool => j.GetBoolean(),
        JsonValueKind.Number => type switch
        {
            FeatureType.Int32 => j.TryGetInt32(out var i) ? i : throw new FormatException($"{j.GetRawText()} is not an int32"),
            FeatureType.Int64 => j.TryGetInt64(out var l) ? l : throw new FormatException($"{j.GetRawText()} is not an int64"),
            FeatureType.Float32 => j.GetSingle(),
            FeatureType.Float64 => j.GetDouble(),
            FeatureType.UnixTimestamp => DateTime.UnixEpoch.AddSeconds(j.GetDouble()),
            FeatureType.String => j.GetRawText(),
            FeatureType.Bool => j.GetDouble() != 0,
            _ => throw new FormatException($"{j.GetRawText()} is not {FeatureTypes.Name(type)}"),
        },
        _ => throw new FormatException($"{j.GetRawText()} is not a {FeatureTypes.Name(type)}"),
    };

    private static object ParseText(string s, FeatureType type)
    {
        var ok = true;
        object? value = null;
        switch (type)
        {
            case FeatureType.Int32:
                ok = int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i);
                value = i;
                break;
            case FeatureType.Int64:
                ok = long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l);
                value = l;
                break;
            case FeatureType.Float32:
                ok = float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f);
                value = f;
                break;
            case FeatureType.Float64:
                ok = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
                value = d;
                break;
            case FeatureType.Bool:
                ok = bool.TryParse(s, out var b);
                value = b;
                break;
            case FeatureType.UnixTimestamp:
                ok = TryParseTimestamp(s, out var t);
                value = t;
                break;
            default:
                ok = false;
                break;
        }

        return ok ? value! : throw new FormatException($"'{s}' is not a valid {FeatureTypes.Name(type)}");
    }

    /// <summary>Parses an ISO 8601 timestamp (a value without an offset is UTC) to a UTC <see cref="DateTime"/>.</summary>
    public static bool TryParseTimestamp(string s, out DateTime utc)
    {
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var o))
        {
            utc = o.UtcDateTime;
            return true;
        }

        utc = default;
        return false;
    }

    /// <summary>A timestamp value from a source (DateTime, DateTimeOffset, ISO text, or epoch seconds) as UTC.</summary>
    public static DateTime ToUtc(object raw) => raw switch
    {
        DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc),
        DateTimeOffset o => o.UtcDateTime,
        string s => TryParseTimestamp(s, out var t) ? t : throw new FormatException($"'{s}' is not an ISO 8601 timestamp"),
        long l => DateTime.UnixEpoch.AddSeconds(l),
        int i => DateTime.UnixEpoch.AddSeconds(i),
        double d => DateTime.UnixEpoch.AddSeconds(d),
        _ => throw new FormatException($"{raw.GetType().Name} '{raw}' is not a timestamp"),
    };

    /// <summary>The value as a double for expressions (NaN for null or a non-numeric value).</summary>
    public static double ToDouble(object? value) => value switch
    {
        null => double.NaN,
        int i => i,
        long l => l,
        float f => f,
        double d => d,
        bool b => b ? 1 : 0,
        DateTime t => (t - DateTime.UnixEpoch).TotalSeconds,
        _ => double.NaN,
    };

    /// <summary>An expression's double result as <paramref name="type"/> (NaN is null).</summary>
    public static object? FromDouble(double d, FeatureType type)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            return null;
        }

        return type switch
        {
            FeatureType.Int32 => (int)Math.Clamp(Math.Round(d), int.MinValue, int.MaxValue),
            FeatureType.Int64 => (long)Math.Clamp(Math.Round(d), long.MinValue, long.MaxValue),
            FeatureType.Float32 => (float)d,
            FeatureType.Bool => d != 0,
            FeatureType.String => d.ToString("R", CultureInfo.InvariantCulture),
            FeatureType.UnixTimestamp => DateTime.UnixEpoch.AddSeconds(d),
            _ => d,
        };
    }

    /// <summary>Writes <paramref name="value"/> as a JSON value (Feast's feature server JSON: numbers, strings, booleans, null; timestamps as epoch seconds).</summary>
    public static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case DateTime t:
                writer.WriteNumberValue((long)Math.Floor((t - DateTime.UnixEpoch).TotalSeconds));
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
