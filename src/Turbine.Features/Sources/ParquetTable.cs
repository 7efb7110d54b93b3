using Parquet;
using Parquet.Schema;
using Turbine.Features.Definitions;
using Turbine.Features.Values;

namespace Turbine.Features.Sources;

/// <summary>Writes Parquet files of typed, nullable columns in row groups (training sets, generated sources).</summary>
public static class ParquetTable
{
    /// <summary>Rows per row group written.</summary>
    public const int RowGroupRows = 65_536;

    public static DataField Field(string name, FeatureType type) => type switch
    {
        FeatureType.Int32 => new DataField<int?>(name),
        FeatureType.Int64 => new DataField<long?>(name),
        FeatureType.Float32 => new DataField<float?>(name),
        FeatureType.Float64 => new DataField<double?>(name),
        FeatureType.Bool => new DataField<bool?>(name),
        FeatureType.UnixTimestamp => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        FeatureType.Bytes => new DataField<byte[]>(name),
        _ => new DataField<string>(name),
    };

    /// <summary>Writes <paramref name="columns"/> (same length each) to <paramref name="path"/>, replacing it only once complete.</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<TableColumn> columns, CancellationToken cancellationToken = default)
    {
        var rows = columns.Count == 0 ? 0 : columns[0].Values.Length;
        if (columns.Any(c => c.Values.Length != rows))
        {
            throw new ArgumentException("columns differ in length", nameof(columns));
        }

        var fields = columns.Select(c => Field(c.Name, c.Type)).ToArray();
        var schema = new ParquetSchema(fields);
        var tmp = path + ".partial";
        var stream = File.Create(tmp);
        await using (stream.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                for (var start = 0; start < rows || (rows == 0 && start == 0); start += RowGroupRows)
                {
                    var n = Math.Min(RowGroupRows, rows - start);
                    using var rg = writer.CreateRowGroup();
                    for (var c = 0; c < columns.Count; c++)
                    {
                        await WriteColumnAsync(rg, fields[c], columns[c], start, n, cancellationToken).ConfigureAwait(false);
                    }

                    if (rows == 0)
                    {
                        break;
                    }
                }
            }
        }

        File.Move(tmp, path, overwrite: true);
    }

    private static async Task WriteColumnAsync(ParquetRowGroupWriter rg, DataField field, TableColumn column, int start, int n, CancellationToken ct)
    {
        var slice = new ArraySegment<object?>(column.Values, start, n);
        switch (column.Type)
        {
            case FeatureType.Int32:
                await rg.WriteAsync<int>(field, slice.Select(v => v is null ? (int?)null : Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.Int64:
                await rg.WriteAsync<long>(field, slice.Select(v => v is null ? (long?)null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.Float32:
                await rg.WriteAsync<float>(field, slice.Select(v => v is null ? (float?)null : Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.Float64:
                await rg.WriteAsync<double>(field, slice.Select(v => v is null ? (double?)null : Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.Bool:
                await rg.WriteAsync<bool>(field, slice.Select(v => v is null ? (bool?)null : Convert.ToBoolean(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.UnixTimestamp:
                await rg.WriteAsync<DateTime>(field, slice.Select(v => v is null ? (DateTime?)null : FeatureValues.ToUtc(v)).ToArray(), null, null, ct).ConfigureAwait(false);
                break;
            case FeatureType.Bytes:
                await rg.WriteAsync(field, slice.Select(v => v as byte[]).ToArray()!, null).ConfigureAwait(false);
                break;
            default:
                await rg.WriteAsync(field, slice.Select(v => v is null ? null : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()!, null).ConfigureAwait(false);
                break;
        }
    }
}
