namespace Turbine.Features.Sources;

/// <summary>
/// A slice of a source, read at once and let go before the next: one Parquet row group, or up to
/// <see cref="SourceReader.CsvBatchRows"/> CSV rows. Columns hold raw CLR values (CSV: strings).
/// </summary>
public sealed record SourceBatch(string File, int RowGroup, long FirstRow, int Count, IReadOnlyDictionary<string, object?[]> Columns)
{
    /// <summary>Where a value of this batch came from, for error messages.</summary>
    public string Where(string column, int row) => $"{SourceReader.Display(File)}: row group {RowGroup}, column '{column}', row {FirstRow + row}";
}
