using System.Globalization;
using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Values;

namespace Turbine.Features.Materialization;

/// <summary>A value of a column that does not convert; the caller names the file, row group and column.</summary>
internal sealed class RowFormatException(int row, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Row { get; } = row;
}

/// <summary>
/// Converts a source batch's columns as read (<see cref="Sources.SourceBatch.Raw"/>: typed Parquet arrays, or CSV
/// strings) into what materialization needs, without boxing on the usual types: times as ticks, join keys as
/// <c>long</c> or <c>string</c>, feature values written straight into <see cref="EncodedRows"/>. Other combinations go
/// through <see cref="FeatureValues.Coerce"/>, the same rules as everywhere else.
/// </summary>
internal static class TypedColumns
{
    /// <summary>No time (a null timestamp).</summary>
    public const long NoTime = long.MinValue;

    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>Fills <paramref name="ticks"/> with the column's UTC times (<see cref="NoTime"/> for null).</summary>
    public static void Times(Array raw, Span<long> ticks)
    {
        switch (raw)
        {
            case DateTime[] d:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = Utc(d[i]);
                }

                break;
            case DateTime?[] d:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = d[i] is { } t ? Utc(t) : NoTime;
                }

                break;
            case DateTimeOffset[] d:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = d[i].UtcTicks;
                }

                break;
            case DateTimeOffset?[] d:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = d[i] is { } t ? t.UtcTicks : NoTime;
                }

                break;
            case long[] l:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = EpochSeconds(l[i], i);
                }

                break;
            case long?[] l:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = l[i] is { } s ? EpochSeconds(s, i) : NoTime;
                }

                break;
            case string?[] s:
                for (var i = 0; i < ticks.Length; i++)
                {
                    ticks[i] = s[i] is null ? NoTime
                        : FeatureValues.TryParseTimestamp(s[i]!, out var t) ? t.Ticks
                        : throw new RowFormatException(i, $"'{s[i]}' is not an ISO 8601 timestamp");
                }

                break;
            default:
                for (var i = 0; i < ticks.Length; i++)
                {
                    var v = raw.GetValue(i);
                    try
                    {
                        ticks[i] = v is null ? NoTime : FeatureValues.ToUtc(v).Ticks;
                    }
                    catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
                    {
                        throw new RowFormatException(i, e.Message, e);
                    }
                }

                break;
        }
    }

    private static long Utc(DateTime d) => d.Kind == DateTimeKind.Local ? d.ToUniversalTime().Ticks : d.Ticks;

    private static long EpochSeconds(long seconds, int row) =>
        seconds is > -62_135_596_800L and < 253_402_300_799L ? EpochTicks + (seconds * TimeSpan.TicksPerSecond) : throw new RowFormatException(row, $"{seconds} is not a timestamp (epoch seconds out of range)");

    /// <summary>Fills a join key column: integers into <paramref name="ints"/>, strings into <paramref name="strings"/>; <paramref name="isNull"/> where the key is missing.</summary>
    public static void Keys(Array raw, FeatureType type, int n, long[] ints, string?[] strings, bool[] isNull)
    {
        if (type == FeatureType.String)
        {
            if (raw is string?[] s)
            {
                for (var i = 0; i < n; i++)
                {
                    strings[i] = s[i];
                    isNull[i] = s[i] is null;
                }

                return;
            }

            for (var i = 0; i < n; i++)
            {
                strings[i] = (string?)Coerce(raw.GetValue(i), type, i);
                isNull[i] = strings[i] is null;
            }

            return;
        }

        switch (raw)
        {
            case long[] l when type == FeatureType.Int64:
                l.AsSpan(0, n).CopyTo(ints);
                isNull.AsSpan(0, n).Clear();
                return;
            case long?[] l when type == FeatureType.Int64:
                for (var i = 0; i < n; i++)
                {
                    ints[i] = l[i].GetValueOrDefault();
                    isNull[i] = !l[i].HasValue;
                }

                return;
            case int[] a:
                for (var i = 0; i < n; i++)
                {
                    ints[i] = a[i];
                    isNull[i] = false;
                }

                return;
            case int?[] a:
                for (var i = 0; i < n; i++)
                {
                    ints[i] = a[i].GetValueOrDefault();
                    isNull[i] = !a[i].HasValue;
                }

                return;
            default:
                for (var i = 0; i < n; i++)
                {
                    var v = Coerce(raw.GetValue(i), type, i);
                    isNull[i] = v is null;
                    ints[i] = v switch { int x => x, long x => x, _ => 0 };
                }

                return;
        }
    }

    private static object? Coerce(object? raw, FeatureType type, int row)
    {
        try
        {
            return FeatureValues.Coerce(raw, type);
        }
        catch (FormatException e)
        {
            throw new RowFormatException(row, e.Message, e);
        }
    }

    /// <summary>Appends row <paramref name="row"/> of <paramref name="raw"/> as a value of <paramref name="type"/>.</summary>
    public static void Encode(Array raw, int row, FeatureType type, EncodedRows into)
    {
        switch (type)
        {
            case FeatureType.Float64 when raw is double[] d:
                into.WriteDouble(d[row]);
                return;
            case FeatureType.Float64 when raw is double?[] d:
                WriteOrNull(d[row], into, static (v, o) => o.WriteDouble(v));
                return;
            case FeatureType.Float64 when raw is string?[] s && s[row] is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                into.WriteDouble(parsed);
                return;
            case FeatureType.Float32 when raw is float[] f:
                into.WriteFloat(f[row]);
                return;
            case FeatureType.Float32 when raw is float?[] f:
                WriteOrNull(f[row], into, static (v, o) => o.WriteFloat(v));
                return;
            case FeatureType.Int64 when raw is long[] l:
                into.WriteInt64(l[row]);
                return;
            case FeatureType.Int64 when raw is long?[] l:
                WriteOrNull(l[row], into, static (v, o) => o.WriteInt64(v));
                return;
            case FeatureType.Int64 when raw is string?[] s && s[row] is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed):
                into.WriteInt64(parsed);
                return;
            case FeatureType.Int32 when raw is int[] a:
                into.WriteInt32(a[row]);
                return;
            case FeatureType.Int32 when raw is int?[] a:
                WriteOrNull(a[row], into, static (v, o) => o.WriteInt32(v));
                return;
            case FeatureType.Bool when raw is bool[] b:
                into.WriteBool(b[row]);
                return;
            case FeatureType.Bool when raw is bool?[] b:
                WriteOrNull(b[row], into, static (v, o) => o.WriteBool(v));
                return;
            case FeatureType.String when raw is string?[] s:
                if (s[row] is { } str)
                {
                    into.WriteString(str);
                }
                else
                {
                    into.WriteNull();
                }

                return;
            default:
                into.WriteBoxed(Coerce(raw.GetValue(row), type, row));
                return;
        }
    }

    private static void WriteOrNull<T>(T? value, EncodedRows into, Action<T, EncodedRows> write)
        where T : struct
    {
        if (value is { } v)
        {
            write(v, into);
        }
        else
        {
            into.WriteNull();
        }
    }
}
