using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Online;

/// <summary>The kind of model, for the performance metrics computed once labels arrive.</summary>
public enum ModelTask
{
    /// <summary>Accuracy, precision, recall, F1 (binary: class 1 positive; multi-class: macro), ROC AUC (binary).</summary>
    Classification,

    /// <summary>MAE and RMSE.</summary>
    Regression,
}

/// <summary>How one model is monitored. Windows are tumbling: a window closes at <see cref="WindowRows"/> rows or after <see cref="WindowDuration"/>, whichever comes first.</summary>
public sealed record MonitorSettings
{
    public required ReferenceProfile Profile { get; init; }

    public ModelTask Task { get; init; } = ModelTask.Classification;

    /// <summary>Share of requests observed, 0–1 (default 1).</summary>
    public double Sampling { get; init; } = 1.0;

    /// <summary>Rows per window at most (default 1000); also bounds the memory of an open window.</summary>
    public int WindowRows { get; init; } = 1000;

    /// <summary>Longest a window stays open (default 5 minutes).</summary>
    public TimeSpan WindowDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Closed windows kept per version (default 48).</summary>
    public int MaxWindows { get; init; } = 48;

    /// <summary>Served predictions kept for the feedback join (default 100,000; the oldest are forgotten first).</summary>
    public int LabelCapacity { get; init; } = 100_000;

    /// <summary>Name of the output whose first element per row is the prediction (default: the first output).</summary>
    public string? PredictionOutput { get; init; }

    public DriftOptions Drift { get; init; } = DriftOptions.Default;

    /// <summary>The first problem with the settings, or null.</summary>
    public string? Validate() =>
        Sampling is < 0 or > 1 || double.IsNaN(Sampling) ? $"sampling must be between 0 and 1, got {Sampling}"
        : WindowRows < 1 ? $"window rows must be at least 1, got {WindowRows}"
        : WindowDuration <= TimeSpan.Zero ? $"window duration must be positive, got {WindowDuration}"
        : MaxWindows < 1 ? $"max windows must be at least 1, got {MaxWindows}"
        : LabelCapacity < 0 ? $"label capacity must not be negative, got {LabelCapacity}"
        : Drift.Validate();
}
