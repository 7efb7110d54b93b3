namespace Turbine.Batch.Tables;

/// <summary>Reads an input table part by part, in order.</summary>
public interface ITableReader : IAsyncDisposable
{
    /// <summary>The columns, known before any part is read (CSV header, first JSON line's keys, Parquet schema).</summary>
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>
    /// The parts in input order. A part for which <paramref name="wanted"/> is false is skipped as cheaply as the
    /// format allows and not returned (resume, other shards).
    /// </summary>
    /// <param name="wanted">Which part numbers to decode.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    IAsyncEnumerable<TablePart> ReadPartsAsync(Func<int, bool> wanted, CancellationToken cancellationToken);

    /// <summary>Rows in the parts <paramref name="wanted"/> selects, when the format knows before reading (Parquet), else null.</summary>
    /// <param name="wanted">Which part numbers count.</param>
    long? RowsIn(Func<int, bool> wanted);

    /// <summary>How many parts the input has; known once <see cref="ReadPartsAsync"/> has run to the end (always for Parquet).</summary>
    int? PartCount { get; }
}
