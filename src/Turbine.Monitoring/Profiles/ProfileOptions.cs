namespace Turbine.Monitoring.Profiles;

/// <summary>Bounds of a profile (its JSON must stay well under the registry's 1 MiB card limit).</summary>
public sealed record ProfileOptions
{
    /// <summary>Reference values kept per numeric feature for KS/Wasserstein/PSI (default 1000, Evidently's small-reference bound).</summary>
    public int SampleSize { get; init; } = 1000;

    /// <summary>Categories kept per feature (default 200); the rest are summed as "other".</summary>
    public int MaxCategories { get; init; } = 200;

    /// <summary>Numeric features with at most this many distinct values also keep value counts (Evidently bins them as categories).</summary>
    public int NumericCategoryLimit { get; init; } = 20;

    public static ProfileOptions Default { get; } = new();

    internal static readonly double[] QuantileProbabilities = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
}
