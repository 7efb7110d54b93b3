namespace Turbine.Monitoring.Drift;

/// <summary>Drift of one current window (or dataset) against the reference profile.</summary>
public sealed record DriftReport
{
    public IReadOnlyList<ColumnDrift> Features { get; init; } = [];

    /// <summary>Features a test ran on.</summary>
    public int Tested { get; init; }

    public int Drifted { get; init; }

    public double Share { get; init; }

    public double DriftShareThreshold { get; init; }

    public bool DatasetDrift { get; init; }
}
