namespace Turbine.Monitoring.Data;

/// <summary>Bounds on what a dataset file may make the reader allocate; checked before the values are read.</summary>
public sealed record TableLimits
{
    /// <summary>Rows read at most (default 2,000,000); a file with more is refused with a message naming the limit.</summary>
    public long MaxRows { get; init; } = 2_000_000;

    /// <summary>Columns at most (default 4096).</summary>
    public int MaxColumns { get; init; } = 4096;

    /// <summary>Length of one categorical value at most, in characters (default 4096).</summary>
    public int MaxValueLength { get; init; } = 4096;

    public static TableLimits Default { get; } = new();
}
