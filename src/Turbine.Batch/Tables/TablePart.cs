namespace Turbine.Batch.Tables;

/// <summary>
/// One part of the input (a Parquet row group, or a range of CSV / JSON Lines records): the unit that is scored,
/// committed, skipped on resume and assigned to a shard. Column-major: <c>Columns[c][r]</c>.
/// </summary>
/// <param name="Index">Part number from 0 in input order.</param>
/// <param name="FirstRow">Row number (from 1) of the part's first record in the input.</param>
/// <param name="RowCount">Records in the part.</param>
/// <param name="Columns">The values, one array per column of the reader's schema, each <paramref name="RowCount"/> long.</param>
/// <param name="RowErrors">Records the reader could not parse (row number → reason); their cells are null.</param>
public sealed record TablePart(int Index, long FirstRow, int RowCount, object?[][] Columns, IReadOnlyDictionary<int, string>? RowErrors = null);
