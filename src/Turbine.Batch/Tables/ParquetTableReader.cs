using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Turbine.Batch.Tables;

/// <summary>
/// Parquet: each row group is one part (decoded only when wanted). Columns: top-level primitive fields (integers,
/// floating point, booleans, strings) and lists of primitives; other fields (structs, maps) are left out.
/// </summary>
internal sealed class ParquetTableReader : ITableReader
{
    private readonly Stream _stream;
    private readonly ParquetReader _reader;
    private readonly List<(DataField Field, TableColumn Column)> _fields;
    private readonly int _maxGroupRows;

    private ParquetTableReader(Stream stream, ParquetReader reader, List<(DataField, TableColumn)> fields, int maxGroupRows)
    {
        _maxGroupRows = maxGroupRows;
        _stream = stream;
        _reader = reader;
        _fields = fields;
        Columns = fields.Select(f => f.Item2).ToList();
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public int? PartCount => _reader.RowGroupCount;

    public long? RowsIn(Func<int, bool> wanted) =>
        Enumerable.Range(0, _reader.RowGroupCount).Where(wanted).Sum(g => _reader.RowGroups[g].RowCount);

    /// <summary>Opens <paramref name="stream"/> (seekable; the caller's, disposed with the reader).</summary>
    /// <param name="stream">The file.</param>
    /// <param name="cancellationToken">Stops opening.</param>
    /// <param name="maxGroupRows">Largest row group decoded (a part is a whole group, so this bounds memory before bytes are read).</param>
    public static async Task<ParquetTableReader> OpenAsync(Stream stream, CancellationToken cancellationToken, int maxGroupRows = 10_000_000)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"not a readable Parquet file: {e.Message}", e);
        }

        var fields = new List<(DataField, TableColumn)>();
        foreach (var field in reader.Schema.Fields)
        {
            switch (field)
            {
                case DataField data when KindOf(data.ClrType) is { } kind && !data.IsArray:
                    fields.Add((data, TableColumn.Scalar(data.Name, kind)));
                    break;
                case DataField data when KindOf(data.ClrType) is { } kind:
                    fields.Add((data, TableColumn.ListOf(data.Name, kind)));
                    break;
                case ListField list when list.Item is DataField item && KindOf(item.ClrType) is { } kind:
                    fields.Add((item, TableColumn.ListOf(list.Name, kind)));
                    break;
            }
        }

        return new ParquetTableReader(stream, reader, fields, maxGroupRows);
    }

    private static ColumnKind? KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? ColumnKind.String
            : type == typeof(int) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte) || type == typeof(ushort) ? ColumnKind.Int32
            : type == typeof(long) || type == typeof(uint) ? ColumnKind.Int64
            : type == typeof(float) ? ColumnKind.Float
            : type == typeof(double) ? ColumnKind.Double
            : type == typeof(bool) ? ColumnKind.Bool
            : null;
    }

    public async IAsyncEnumerable<TablePart> ReadPartsAsync(Func<int, bool> wanted, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long first = 1;
        for (var g = 0; g < _reader.RowGroupCount; g++)
        {
            using var group = _reader.OpenRowGroupReader(g);
            if (group.RowCount > _maxGroupRows)
            {
                throw new InvalidDataException(
                    $"row group {g} has {group.RowCount} rows, more than {_maxGroupRows} (--max-part-rows); rewrite the file with smaller row groups");
            }

            var rows = (int)group.RowCount;
            if (wanted(g))
            {
                var columns = new object?[_fields.Count][];
                for (var c = 0; c < _fields.Count; c++)
                {
                    var (field, column) = _fields[c];
                    columns[c] = await ParquetColumns.ReadAsync(group, field, column, rows, cancellationToken).ConfigureAwait(false);
                }

                yield return new TablePart(g, first, rows, columns);
            }

            first += rows;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
