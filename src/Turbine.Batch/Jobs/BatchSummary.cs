namespace Turbine.Batch.Jobs;

/// <summary>What a run did (printed as text or, with <c>--output-format json</c>, as JSON).</summary>
public sealed record BatchSummary
{
    public string Status { get; init; } = "completed";
    public string Output { get; init; } = "";
    public string Errors { get; init; } = "";
    public int ShardIndex { get; init; }
    public int ShardCount { get; init; } = 1;
    public int? TotalParts { get; init; }
    public int PartsCommitted { get; init; }
    public int PartsSkipped { get; init; }
    public long RowsRead { get; init; }
    public long RowsScored { get; init; }
    public long RowsFailed { get; init; }
    public long Requests { get; init; }
    public double Seconds { get; init; }
    public double RowsPerSecond { get; init; }
    public bool Assembled { get; init; }
    public string? Message { get; init; }
}

/// <summary>Progress of a run, reported after each part.</summary>
/// <param name="RowsDone">Rows scored or failed this run (committed parts).</param>
/// <param name="RowsTotal">Rows this shard will process this run, when known (Parquet), else null.</param>
/// <param name="PartsDone">Parts committed this run.</param>
/// <param name="RowsFailed">Rows failed, all runs of this shard.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record BatchProgress(long RowsDone, long? RowsTotal, int PartsDone, long RowsFailed, TimeSpan Elapsed);
