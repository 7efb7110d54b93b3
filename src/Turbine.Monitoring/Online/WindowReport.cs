using Turbine.Monitoring.Drift;

namespace Turbine.Monitoring.Online;

/// <summary>One tumbling window of one model version: what the REST API, the metrics and the HTML report show.</summary>
public sealed record WindowReport
{
    public long Id { get; init; }

    public required string Model { get; init; }

    public long Version { get; init; }

    public DateTimeOffset Start { get; init; }

    /// <summary>Null while the window is open.</summary>
    public DateTimeOffset? End { get; init; }

    public long Rows { get; init; }

    /// <summary>Drift of the window's inputs (null while open).</summary>
    public DriftReport? Drift { get; init; }

    /// <summary>Drift of the predictions against the reference's column of the same name, when the profile has one.</summary>
    public ColumnDrift? PredictionDrift { get; init; }

    /// <summary>Per feature: issue name → count.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Quality { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    /// <summary>Metrics over the labels joined so far (late labels update this window); "count" = labelled rows.</summary>
    public IReadOnlyDictionary<string, double> Performance { get; init; } = new Dictionary<string, double>();
}
