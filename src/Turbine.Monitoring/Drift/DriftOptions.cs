namespace Turbine.Monitoring.Drift;

/// <summary>What the drift detector runs; the defaults are Evidently's.</summary>
public sealed record DriftOptions
{
    /// <summary>Dataset drift when the share of drifted features is at least this (default 0.5).</summary>
    public double DriftShare { get; init; } = 0.5;

    /// <summary>A test per feature name instead of the automatic choice (e.g. <c>"amount" → "psi"</c>).</summary>
    public IReadOnlyDictionary<string, string> FeatureTests { get; init; } = new Dictionary<string, string>();

    /// <summary>A threshold per test name instead of the default (0.05 for p-values, 0.1 for distances).</summary>
    public IReadOnlyDictionary<string, double> Thresholds { get; init; } = new Dictionary<string, double>();

    public static DriftOptions Default { get; } = new();

    public double ThresholdOf(string test) => Thresholds.TryGetValue(test, out var t) ? t : DriftTestNames.DefaultThreshold(test);

    /// <summary>Checks the names and numbers; returns the first problem or null.</summary>
    public string? Validate()
    {
        if (DriftShare is <= 0 or > 1 || double.IsNaN(DriftShare))
        {
            return $"drift share must be in (0, 1], got {DriftShare}";
        }

        foreach (var (feature, test) in FeatureTests)
        {
            if (!DriftTestNames.All.Contains(test))
            {
                return $"feature '{feature}': unknown drift test '{test}' (expected one of {string.Join(", ", DriftTestNames.All)})";
            }
        }

        foreach (var (test, value) in Thresholds)
        {
            if (!DriftTestNames.All.Contains(test))
            {
                return $"threshold for unknown drift test '{test}' (expected one of {string.Join(", ", DriftTestNames.All)})";
            }

            if (double.IsNaN(value) || value < 0)
            {
                return $"threshold of '{test}' must be a non-negative number, got {value}";
            }
        }

        return null;
    }
}
