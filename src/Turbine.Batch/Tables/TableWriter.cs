using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Parquet;
using Parquet.Schema;

namespace Turbine.Batch.Tables;

/// <summary>
/// Writes one part of the output (<c>Columns[c][r]</c>) as a file of the output format. CSV parts have no header (the
/// assembled file gets one); Parquet parts are whole files with one row group (assembling copies the row groups).
/// </summary>
internal static class TableWriter
{
    public static async Task WritePartAsync(Stream destination, TableFormat format, IReadOnlyList<TableColumn> schema, object?[][] columns, int rows, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case TableFormat.Csv:
                await WriteCsvAsync(destination, columns, rows, header: null).ConfigureAwait(false);
                break;
            case TableFormat.JsonLines:
                WriteJsonLines(destination, schema, columns, rows);
                break;
            default:
                await WriteParquetAsync(destination, schema, columns, rows, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The CSV header line of <paramref name="schema"/>.</summary>
    public static async Task WriteCsvHeaderAsync(Stream destination, IReadOnlyList<TableColumn> schema) =>
        await WriteCsvAsync(destination, [], 0, schema.Select(c => c.Name).ToArray()).ConfigureAwait(false);

    private static async Task WriteCsvAsync(Stream destination, object?[][] columns, int rows, string[]? header)
    {
        var csv = CsvWriter.Create(destination, new CsvWriterOptions { Separator = ',' }, true);
        await using (csv.ConfigureAwait(false))
        {
            if (header is not null)
            {
                await csv.WriteRecordAsync(header, CancellationToken.None).ConfigureAwait(false);
            }

            var record = new string[columns.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    record[c] = JsonValues.ToText(columns[c][r]);
                }

                await csv.WriteRecordAsync(record, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static void WriteJsonLines(Stream destination, IReadOnlyList<TableColumn> schema, object?[][] columns, int rows)
    {
        using var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        for (var r = 0; r < rows; r++)
        {
            writer.WriteStartObject();
            for (var c = 0; c < schema.Count; c++)
            {
                writer.WritePropertyName(schema[c].Name);
                JsonValues.Write(writer, columns[c][r]);
            }

            writer.WriteEndObject();
            writer.Flush();
            destination.WriteByte((byte)'\n');
            writer.Reset();
        }
    }

    public static ParquetSchema ParquetSchemaOf(IReadOnlyList<TableColumn> schema) => new(schema.Select(FieldOf).ToArray());

    private static Field FieldOf(TableColumn column) => column.Kind == ColumnKind.List
        ? new ListField(column.Name, ElementField(column.ElementKind))
        : column.Kind switch
        {
            ColumnKind.Int32 => new DataField<int?>(column.Name),
            ColumnKind.Int64 => new DataField<long?>(column.Name),
            ColumnKind.Float => new DataField<float?>(column.Name),
            ColumnKind.Double => new DataField<double?>(column.Name),
            ColumnKind.Bool => new DataField<bool?>(column.Name),
            _ => new DataField<string>(column.Name),
        };

    private static DataField ElementField(ColumnKind kind) => kind switch
    {
        ColumnKind.Int32 => new DataField<int>("element"),
        ColumnKind.Int64 => new DataField<long>("element"),
        ColumnKind.Float => new DataField<float>("element"),
        ColumnKind.Double => new DataField<double>("element"),
        ColumnKind.Bool => new DataField<bool>("element"),
        _ => new DataField("element", typeof(string), isNullable: false),
    };

    private static async Task WriteParquetAsync(Stream destination, IReadOnlyList<TableColumn> schema, object?[][] columns, int rows, CancellationToken cancellationToken)
    {
        var parquet = ParquetSchemaOf(schema);
        var writer = await ParquetWriter.CreateAsync(parquet, destination, null, false, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await WriteRowGroupAsync(writer, parquet, schema, columns, rows, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one row group of <paramref name="rows"/> rows to <paramref name="writer"/>.</summary>
    public static async Task WriteRowGroupAsync(ParquetWriter writer, ParquetSchema parquet, IReadOnlyList<TableColumn> schema, object?[][] columns, int rows, CancellationToken cancellationToken)
    {
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < schema.Count; c++)
            {
                var column = schema[c];
                var cells = columns[c].AsSpan(0, rows).ToArray();
                if (column.Kind == ColumnKind.List)
                {
                    var item = (DataField)((ListField)parquet.Fields[c]).Item;
                    await WriteListAsync(group, item, column.ElementKind, cells, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var field = (DataField)parquet.Fields[c];
                switch (column.Kind)
                {
                    case ColumnKind.Int32:
                        await group.WriteAsync<int>(field, cells.Select(v => v is null ? (int?)null : Convert.ToInt32(v, CultureInfo.InvariantCulture)).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnKind.Int64:
                        await group.WriteAsync<long>(field, cells.Select(v => v is null ? (long?)null : Convert.ToInt64(v, CultureInfo.InvariantCulture)).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnKind.Float:
                        await group.WriteAsync<float>(field, cells.Select(v => v is null ? (float?)null : Convert.ToSingle(v, CultureInfo.InvariantCulture)).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnKind.Double:
                        await group.WriteAsync<double>(field, cells.Select(v => v is null ? (double?)null : Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnKind.Bool:
                        await group.WriteAsync<bool>(field, cells.Select(v => v is null ? (bool?)null : Convert.ToBoolean(v, CultureInfo.InvariantCulture)).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await group.WriteAsync(field, cells.Select(v => v is null ? null : JsonValues.ToText(v)).ToArray(), null).ConfigureAwait(false);
                        break;
                }
            }
        }
    }

    private static async Task WriteListAsync(ParquetRowGroupWriter group, DataField item, ColumnKind kind, object?[] cells, CancellationToken cancellationToken)
    {
        var values = new List<object?>();
        var definitions = new List<int>();
        var repetitions = new List<int>();
        foreach (var cell in cells)
        {
            var list = JsonValues.Boxed(cell) as object?[];
            if (list is null || list.Length == 0)
            {
                definitions.Add(list is null ? 0 : 1);
                repetitions.Add(0);
                continue;
            }

            for (var i = 0; i < list.Length; i++)
            {
                values.Add(list[i]);
                definitions.Add(2);
                repetitions.Add(i == 0 ? 0 : 1);
            }
        }

        var d = definitions.ToArray();
        var r = repetitions.ToArray();
        switch (kind)
        {
            case ColumnKind.Int32:
                await group.WriteAllPartsAsync<int>(item, values.Select(v => Convert.ToInt32(v, CultureInfo.InvariantCulture)).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Int64:
                await group.WriteAllPartsAsync<long>(item, values.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Float:
                await group.WriteAllPartsAsync<float>(item, values.Select(v => Convert.ToSingle(v, CultureInfo.InvariantCulture)).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Double:
                await group.WriteAllPartsAsync<double>(item, values.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Bool:
                await group.WriteAllPartsAsync<bool>(item, values.Select(v => Convert.ToBoolean(v, CultureInfo.InvariantCulture)).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await group.WriteAllPartsAsync<ReadOnlyMemory<char>>(item, values.Select(v => JsonValues.ToText(v).AsMemory()).ToArray(), d, r, cancellationToken).ConfigureAwait(false);
                break;
        }
    }
}
