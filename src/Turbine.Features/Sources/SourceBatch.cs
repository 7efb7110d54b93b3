namespace Turbine.Features.Sources;

/// <summary>
/// A slice of a source, read at once and let go before the next: one Parquet row group, or up to
/// <see cref="SourceReader.CsvBatchRows"/> CSV rows. <see cref="Raw"/> holds each column as read (Parquet: typed
/// arrays such as <c>long[]</c>, <c>double?[]</c>, <c>DateTime[]</c>, <c>string?[]</c>; CSV: strings), which the
/// materializer reads without boxing; <see cref="Columns"/> is the same data as boxed values, made on first use.
/// The arrays of a Parquet batch are reused for the next row group of the same file: copy what is kept past the
/// next batch.
/// </summary>
public sealed class SourceBatch(string file, int rowGroup, long firstRow, int count, IReadOnlyDictionary<string, Array> raw)
{
    private IReadOnlyDictionary<string, object?[]>? _boxed;

    public string File { get; } = file;

    public int RowGroup { get; } = rowGroup;

    public long FirstRow { get; } = firstRow;

    public int Count { get; } = count;

    /// <summary>The columns as read, one array of <see cref="Count"/> values each.</summary>
    public IReadOnlyDictionary<string, Array> Raw { get; } = raw;

    /// <summary>The columns as boxed values (null for a missing value).</summary>
    public IReadOnlyDictionary<string, object?[]> Columns => _boxed ??= Raw.ToDictionary(p => p.Key, p => Box(p.Value), StringComparer.Ordinal);

    private static object?[] Box(Array values)
    {
        if (values is object?[] boxed)
        {
            return boxed;
        }

        var result = new object?[values.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values.GetValue(i);
        }

        return result;
    }

    /// <summary>Where a value of this batch came from, for error messages.</summary>
    public string Where(string column, int row) => $"{SourceReader.Display(File)}: row group {RowGroup}, column '{column}', row {FirstRow + row}";
}
