namespace Turbine.Monitoring.Drift;

/// <summary>
/// One feature's drift result. <see cref="Score"/> is what is compared with <see cref="Threshold"/> (a p-value for
/// ks/chisquare/z — drift when below; a distance or PSI otherwise — drift when at or above); <see cref="Statistic"/>
/// is the raw statistic (D, χ², z, or the score again).
/// </summary>
public sealed record ColumnDrift
{
    public required string Feature { get; init; }

    public required string Test { get; init; }

    public double Score { get; init; }

    public double Statistic { get; init; }

    public double Threshold { get; init; }

    public bool Drifted { get; init; }

    public long ReferenceCount { get; init; }

    public long CurrentCount { get; init; }

    /// <summary>Why no test ran (no current values, type mismatch), else null.</summary>
    public string? Skipped { get; init; }

    /// <summary>Reference and current shares over the same bins/categories, for charts.</summary>
    public Distribution? Distribution { get; init; }
}
