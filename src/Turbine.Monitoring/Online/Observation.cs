namespace Turbine.Monitoring.Online;

/// <summary>
/// One observed request (a batch of <see cref="Rows"/> rows): the feature values by name, the predictions per row, and
/// the problems found while reading the tensors (shape or type), as the tap hands them to the monitor.
/// </summary>
public sealed class Observation
{
    private static readonly Dictionary<string, double[]> NoNumbers = [];
    private static readonly Dictionary<string, string?[]> NoTexts = [];

    public required string RequestId { get; init; }

    public required string Model { get; init; }

    public long Version { get; init; }

    public DateTimeOffset Time { get; init; }

    public int Rows { get; init; }

    /// <summary>Numeric features: one value per row (NaN = missing).</summary>
    public IReadOnlyDictionary<string, double[]> Numbers { get; init; } = NoNumbers;

    /// <summary>Categorical features: one value per row (null = missing).</summary>
    public IReadOnlyDictionary<string, string?[]> Texts { get; init; } = NoTexts;

    /// <summary>The prediction vector of each row (empty when the request failed or outputs were not captured).</summary>
    public IReadOnlyList<double[]> Predictions { get; init; } = [];

    /// <summary>Shape/type problems of the request's tensors (counted as <c>shape</c>/<c>type</c> quality issues).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
