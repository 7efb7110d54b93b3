namespace Turbine.Monitoring.Data;

/// <summary>
/// One column of a reference or current dataset: numeric (<see cref="Numbers"/>, missing = NaN) or categorical
/// (<see cref="Texts"/>, missing = null). Exactly one of the two arrays is set.
/// </summary>
public sealed class FeatureColumn
{
    private FeatureColumn(string name, double[]? numbers, string?[]? texts)
    {
        Name = name;
        Numbers = numbers;
        Texts = texts;
    }

    public string Name { get; }

    /// <summary>Numeric values; NaN marks a missing value (a NaN in the data is counted as missing too).</summary>
    public double[]? Numbers { get; }

    /// <summary>Categorical values; null marks a missing value.</summary>
    public string?[]? Texts { get; }

    public bool IsNumeric => Numbers is not null;

    public int Length => Numbers?.Length ?? Texts!.Length;

    public static FeatureColumn Numeric(string name, double[] values) => new(name, values, null);

    public static FeatureColumn Categorical(string name, string?[] values) => new(name, null, values);
}
