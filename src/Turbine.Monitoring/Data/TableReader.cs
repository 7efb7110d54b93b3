using System.Globalization;
using CsvHelper;
using Parquet;
using Parquet.Schema;

namespace Turbine.Monitoring.Data;

/// <summary>
/// Reads a reference or current dataset from a Parquet (<c>.parquet</c>) or CSV (<c>.csv</c>, header row) file into a
/// <see cref="FeatureTable"/>. Only regular files are opened; row and column counts are checked against
/// <see cref="TableLimits"/> before values are read (Parquet) or while reading (CSV).
/// </summary>
public static class TableReader
{
    public static async Task<FeatureTable> ReadAsync(string path, TableLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= TableLimits.Default;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InvalidDataException($"dataset '{path}' does not exist");
        }

        if (info.LinkTarget is not null || (info.Attributes & (FileAttributes.Directory | FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
        {
            throw new InvalidDataException($"dataset '{path}' is not a regular file");
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".parquet" or ".pq" => await ReadParquetAsync(path, limits, ct).ConfigureAwait(false),
            ".csv" => ReadCsv(path, limits),
            _ => throw new InvalidDataException($"dataset '{path}': expected a .parquet or .csv file, got '{extension}'"),
        };
    }

    /// <summary>Reads CSV text (header row first); numeric columns are those whose every non-missing value parses as a number.</summary>
    public static FeatureTable ReadCsv(TextReader text, TableLimits limits)
    {
        using var csv = CsvReader.Create(text, new CsvReaderOptions { HasHeader = true, MaxRecordSize = 16 * 1024 * 1024 }, leaveOpen: true);
        var header = csv.Headers.ToArray();
        if (header.Length == 0)
        {
            throw new InvalidDataException("the CSV has no header row");
        }

        if (header.Length > limits.MaxColumns)
        {
            throw new InvalidDataException($"the CSV has {header.Length} columns, more than the limit of {limits.MaxColumns}");
        }

        var cells = header.Select(_ => new List<string?>()).ToArray();
        long rows = 0;
        while (csv.Read())
        {
            if (++rows > limits.MaxRows)
            {
                throw new InvalidDataException($"the CSV has more than {limits.MaxRows} rows (the limit)");
            }

            if (csv.FieldCount != header.Length)
            {
                throw new InvalidDataException($"CSV row {rows} has {csv.FieldCount} fields, the header has {header.Length}");
            }

            for (var c = 0; c < header.Length; c++)
            {
                var value = csv.GetString(c);
                if (value is not null && value.Length > limits.MaxValueLength)
                {
                    throw new InvalidDataException($"row {rows}, column '{header[c]}': a value of {value.Length} characters, more than the limit of {limits.MaxValueLength}");
                }

                cells[c].Add(IsMissing(value) ? null : value);
            }
        }

        var columns = new List<FeatureColumn>(header.Length);
        for (var c = 0; c < header.Length; c++)
        {
            columns.Add(ToColumn(header[c], cells[c]));
        }

        return new FeatureTable(columns);
    }

    private static FeatureTable ReadCsv(string path, TableLimits limits)
    {
        using var reader = new StreamReader(path);
        return ReadCsv(reader, limits);
    }

    private static bool IsMissing(string? value) =>
        string.IsNullOrEmpty(value) || value.Equals("NA", StringComparison.OrdinalIgnoreCase) || value.Equals("null", StringComparison.OrdinalIgnoreCase);

    private static FeatureColumn ToColumn(string name, List<string?> values)
    {
        var numbers = new double[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null)
            {
                numbers[i] = double.NaN;
            }
            else if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return FeatureColumn.Categorical(name, values.ToArray());
            }
        }

        return FeatureColumn.Numeric(name, numbers);
    }

    private static async Task<FeatureTable> ReadParquetAsync(string path, TableLimits limits, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().Where(f => !f.IsArray && f.MaxRepetitionLevel == 0).ToArray();
        if (fields.Length > limits.MaxColumns)
        {
            throw new InvalidDataException($"the Parquet file has {fields.Length} columns, more than the limit of {limits.MaxColumns}");
        }

        long total = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            total += group.RowCount;
        }

        if (total > limits.MaxRows)
        {
            throw new InvalidDataException($"the Parquet file has {total} rows, more than the limit of {limits.MaxRows}");
        }

        var numeric = fields.Select(IsNumericType).ToArray();
        var numbers = fields.Select((_, i) => numeric[i] ? new double[total] : null).ToArray();
        var texts = fields.Select((_, i) => numeric[i] ? null : new string?[total]).ToArray();
        long offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            for (var f = 0; f < fields.Length; f++)
            {
                if (numeric[f])
                {
                    await ReadNumbersAsync(group, fields[f], numbers[f].AsMemory((int)offset, count), ct).ConfigureAwait(false);
                }
                else
                {
                    await ReadTextsAsync(group, fields[f], texts[f].AsMemory((int)offset, count), limits, ct).ConfigureAwait(false);
                }
            }

            offset += count;
        }

        var columns = new List<FeatureColumn>(fields.Length);
        for (var f = 0; f < fields.Length; f++)
        {
            columns.Add(numeric[f] ? FeatureColumn.Numeric(fields[f].Name, numbers[f]!) : FeatureColumn.Categorical(fields[f].Name, texts[f]!));
        }

        return new FeatureTable(columns);
    }

    private static bool IsNumericType(DataField field) =>
        Type.GetTypeCode(field.ClrType) is TypeCode.Double or TypeCode.Single or TypeCode.Int32 or TypeCode.Int64 or TypeCode.Int16
            or TypeCode.SByte or TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 or TypeCode.Decimal;

    private static async Task ReadNumbersAsync(ParquetRowGroupReader group, DataField field, Memory<double> target, CancellationToken ct)
    {
        switch (Type.GetTypeCode(field.ClrType))
        {
            case TypeCode.Double: await Copy<double>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.Single: await Copy<float>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.Int32: await Copy<int>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.Int64: await Copy<long>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.Int16: await Copy<short>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.SByte: await Copy<sbyte>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.Byte: await Copy<byte>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.UInt16: await Copy<ushort>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.UInt32: await Copy<uint>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            case TypeCode.UInt64: await Copy<ulong>(group, field, target, static v => v, ct).ConfigureAwait(false); break;
            default: await Copy<decimal>(group, field, target, static v => (double)v, ct).ConfigureAwait(false); break;
        }
    }

    private static async Task Copy<T>(ParquetRowGroupReader group, DataField field, Memory<double> target, Func<T, double> convert, CancellationToken ct)
        where T : struct
    {
        if (!field.IsNullable)
        {
            // A required column is read with the non-nullable overload: the nullable one's null map means nothing without
            // definition levels (Parquet.Net 6.1), and left values missing at random (a profile with 70 of 200 values).
            var required = new T[target.Length];
            await group.ReadAsync(field, required.AsMemory(), null, ct).ConfigureAwait(false);
            var into = target.Span;
            for (var i = 0; i < required.Length; i++)
            {
                into[i] = convert(required[i]);
            }

            return;
        }

        var values = new T?[target.Length];
        await group.ReadAsync<T>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        var span = target.Span;
        for (var i = 0; i < values.Length; i++)
        {
            span[i] = values[i] is { } v ? convert(v) : double.NaN;
        }
    }

    private static async Task ReadTextsAsync(ParquetRowGroupReader group, DataField field, Memory<string?> target, TableLimits limits, CancellationToken ct)
    {
        var span = target;
        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[target.Length];
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is { Length: var n } && n > limits.MaxValueLength)
                {
                    throw new InvalidDataException($"column '{field.Name}': a value of {n} characters, more than the limit of {limits.MaxValueLength}");
                }

                span.Span[i] = values[i];
            }
        }
        else if (field.ClrType == typeof(bool))
        {
            var values = new bool?[target.Length];
            await group.ReadAsync<bool>(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            for (var i = 0; i < values.Length; i++)
            {
                span.Span[i] = values[i] is { } b ? (b ? "true" : "false") : null;
            }
        }
        else
        {
            throw new InvalidDataException($"column '{field.Name}': type {field.ClrType.Name} is not supported (numbers, strings and booleans are)");
        }
    }
}
