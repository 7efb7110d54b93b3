namespace Turbine.Monitoring.Profiles;

/// <summary>
/// What the reference dataset says about one feature; stored as JSON with the model version (docs/monitoring.md).
/// </summary>
public sealed record FeatureProfile
{
    public required string Name { get; init; }

    public required FeatureKind Kind { get; init; }

    /// <summary>Rows with a value (not missing, and for numbers finite).</summary>
    public long Count { get; init; }

    /// <summary>Rows without a value (null, empty, NaN).</summary>
    public long Missing { get; init; }

    /// <summary>Numeric rows holding ±Infinity (counted apart from <see cref="Count"/> and <see cref="Missing"/>).</summary>
    public long Infinite { get; init; }

    /// <summary>Distinct values, counted up to <see cref="ProfileOptions.MaxCategories"/> + 1.</summary>
    public long Distinct { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public double? Mean { get; init; }

    /// <summary>Population standard deviation (ddof 0, as numpy and Evidently's Wasserstein normalization use).</summary>
    public double? Std { get; init; }

    /// <summary>Quantiles by probability ("0.5" → median), linear interpolation as numpy's default.</summary>
    public IReadOnlyDictionary<string, double>? Quantiles { get; init; }

    /// <summary>Sturges histogram of the reference values: edges (n + 1) and counts (n).</summary>
    public Histogram? Histogram { get; init; }

    /// <summary>
    /// Value counts, for categorical features and numeric ones with at most 20 distinct values (the keys are then the
    /// numbers' round-trip text). Categories beyond <see cref="ProfileOptions.MaxCategories"/> are summed in
    /// <see cref="OtherCount"/>.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Categories { get; init; }

    public long OtherCount { get; init; }

    /// <summary>
    /// Reference values for the two-sample tests: all of them when the reference has at most
    /// <see cref="ProfileOptions.SampleSize"/> values (<see cref="SampleIsExact"/>), else that many evenly spaced quantiles.
    /// </summary>
    public double[]? Sample { get; init; }

    public bool SampleIsExact { get; init; }
}
