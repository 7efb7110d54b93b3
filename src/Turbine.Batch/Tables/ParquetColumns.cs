using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Turbine.Batch.Tables;

/// <summary>Reads and writes one Parquet column as the batch job's cells (long, double, bool, string, object?[]).</summary>
internal static class ParquetColumns
{
    public static async Task<object?[]> ReadAsync(ParquetRowGroupReader group, DataField field, TableColumn column, int rows, CancellationToken cancellationToken)
    {
        if (column.Kind == ColumnKind.List)
        {
            return await ReadListAsync(group, field, column.ElementKind, rows, cancellationToken).ConfigureAwait(false);
        }

        var cells = new object?[rows];
        switch (column.Kind)
        {
            case ColumnKind.String when !field.IsNullable:
                using (var raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken).ConfigureAwait(false))
                {
                    Array.Copy(RawValues(raw), cells, rows);
                }

                break;
            case ColumnKind.String:
                var strings = new string?[rows];
                await group.ReadAsync(field, strings.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                strings.CopyTo(cells, 0);
                break;
            case ColumnKind.Int32:
                await ReadScalarsAsync<int>(group, field, cells, v => (long)v, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Int64:
                await ReadScalarsAsync<long>(group, field, cells, v => v, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Float:
                await ReadScalarsAsync<float>(group, field, cells, v => (double)v, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Double:
                await ReadScalarsAsync<double>(group, field, cells, v => v, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnKind.Bool:
                await ReadScalarsAsync<bool>(group, field, cells, v => v, cancellationToken).ConfigureAwait(false);
                break;
        }

        return cells;
    }

    private static async Task ReadScalarsAsync<T>(ParquetRowGroupReader group, DataField field, object?[] cells, Func<T, object> box, CancellationToken cancellationToken)
        where T : struct
    {
        // Small integer types (int8/int16/uint8/uint16) are read as their CLR type, then widened.
        var clr = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (clr != typeof(T))
        {
            using var raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken).ConfigureAwait(false);
            var values = RawValues(raw);
            FillFromLevels(raw, values, cells, field.IsNullable);
            return;
        }

        if (!field.IsNullable)
        {
            // A required column: the non-nullable overload (the nullable one's null map is not meaningful without definition levels).
            var values = new T[cells.Length];
            await group.ReadAsync(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < values.Length; i++)
            {
                cells[i] = box(values[i]);
            }

            return;
        }

        var read = new T?[cells.Length];
        await group.ReadAsync(field, read.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < read.Length; i++)
        {
            cells[i] = read[i] is { } v ? box(v) : null;
        }
    }

    private static void FillFromLevels(RawColumnData raw, object?[] values, object?[] cells, bool nullable)
    {
        if (!nullable)
        {
            Array.Copy(values, cells, cells.Length);
            return;
        }

        var levels = raw.DefinitionLevels;
        var next = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = levels[i] > 0 ? values[next++] : null;
        }
    }

    private static object?[] RawValues(RawColumnData raw) => raw switch
    {
        RawColumnData<sbyte> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<byte> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<short> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<ushort> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<int> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<uint> r => r.Values.ToArray().Select(v => (object?)(long)v).ToArray(),
        RawColumnData<long> r => r.Values.ToArray().Select(v => (object?)v).ToArray(),
        RawColumnData<float> r => r.Values.ToArray().Select(v => (object?)(double)v).ToArray(),
        RawColumnData<double> r => r.Values.ToArray().Select(v => (object?)v).ToArray(),
        RawColumnData<bool> r => r.Values.ToArray().Select(v => (object?)v).ToArray(),
        RawColumnData<ReadOnlyMemory<char>> r => r.Values.ToArray().Select(v => (object?)v.ToString()).ToArray(),
        _ => throw new InvalidDataException($"unsupported Parquet column type {raw.GetType()}"),
    };

    private static async Task<object?[]> ReadListAsync(ParquetRowGroupReader group, DataField field, ColumnKind element, int rows, CancellationToken cancellationToken)
    {
        using var raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken).ConfigureAwait(false);
        if (TypedList(raw, rows) is { } typed)
        {
            return typed;
        }

        var values = RawValues(raw);
        var definitions = raw.DefinitionLevels;
        var repetitions = raw.RepetitionLevels;
        var maxDefinition = 0;
        foreach (var d in definitions)
        {
            maxDefinition = Math.Max(maxDefinition, d);
        }

        // Values are dense (only entries at the deepest definition level hold one); repetition level 0 starts a row.
        var cells = new object?[rows];
        var current = new List<object?>();
        var row = -1;
        var next = 0;
        var sawEntry = false;
        for (var i = 0; i < definitions.Length; i++)
        {
            if (repetitions[i] == 0)
            {
                if (row >= 0)
                {
                    cells[row] = sawEntry ? current.ToArray() : null;
                }

                row++;
                current.Clear();
                sawEntry = false;
            }

            if (definitions[i] == maxDefinition && maxDefinition > 0)
            {
                current.Add(values[next++]);
                sawEntry = true;
            }
            else if (field.IsNullable && definitions[i] == maxDefinition - 1 && maxDefinition > 1)
            {
                current.Add(null);
                sawEntry = true;
            }
            else if (definitions[i] > 0)
            {
                sawEntry = true; // an empty list, not a null one
            }
        }

        if (row >= 0 && row < rows)
        {
            cells[row] = sawEntry ? current.ToArray() : null;
        }

        _ = element;
        return cells;
    }

    /// <summary>
    /// A float or double list column whose every row holds a non-empty list without nulls (the common shape of stored
    /// tensors: embeddings, preprocessed images) as one typed array per row, skipping the per-element boxing; null when
    /// the column has another type or any null or empty entry (the general path handles it).
    /// </summary>
    private static object?[]? TypedList(RawColumnData raw, int rows)
    {
        var definitions = raw.DefinitionLevels;
        var repetitions = raw.RepetitionLevels;
        if (raw is not (RawColumnData<float> or RawColumnData<double>) || definitions.Length == 0)
        {
            return null;
        }

        var maxDefinition = 0;
        foreach (var d in definitions)
        {
            maxDefinition = Math.Max(maxDefinition, d);
        }

        var count = raw is RawColumnData<float> f ? f.Values.Length : ((RawColumnData<double>)raw).Values.Length;
        if (maxDefinition == 0 || count != definitions.Length || definitions.ContainsAnyExcept(maxDefinition))
        {
            return null;
        }

        var starts = new List<int>(rows + 1);
        for (var i = 0; i < repetitions.Length; i++)
        {
            if (repetitions[i] == 0)
            {
                starts.Add(i);
            }
        }

        if (starts.Count != rows)
        {
            return null;
        }

        starts.Add(repetitions.Length);
        var cells = new object?[rows];
        for (var r = 0; r < rows; r++)
        {
            var range = new Range(starts[r], starts[r + 1]);
            cells[r] = raw is RawColumnData<float> floats ? floats.Values[range].ToArray() : ((RawColumnData<double>)raw).Values[range].ToArray();
        }

        return cells;
    }
}
