using System.Globalization;

namespace Turbine.Samples;

/// <summary>Fisher's Iris data set, read from the embedded <c>Data/iris.csv</c> (scikit-learn's copy).</summary>
internal sealed class IrisDataSet
{
    public const string ResourceName = "Turbine.Samples.Data.iris.csv";
    public const int FeatureCount = 4;

    private IrisDataSet(string[] classNames, float[][] features, int[] labels)
    {
        ClassNames = classNames;
        Features = features;
        Labels = labels;
    }

    /// <summary>Class names in class-index order: setosa, versicolor, virginica.</summary>
    public string[] ClassNames { get; }

    /// <summary>One row of <see cref="FeatureCount"/> features (cm) per sample.</summary>
    public float[][] Features { get; }

    /// <summary>Class index per sample.</summary>
    public int[] Labels { get; }

    public int Count => Labels.Length;

    public static IrisDataSet Load()
    {
        using var stream = typeof(IrisDataSet).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Parses scikit-learn's format: header <c>count,features,class names...</c>, then rows.</summary>
    public static IrisDataSet Parse(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = lines[0].Split(',');
        var count = int.Parse(header[0], CultureInfo.InvariantCulture);
        var featureCount = int.Parse(header[1], CultureInfo.InvariantCulture);
        if (featureCount != FeatureCount || lines.Length - 1 != count)
        {
            throw new InvalidDataException(
                $"iris.csv: expected {FeatureCount} features and {count} rows, got {featureCount} features and {lines.Length - 1} rows");
        }

        var features = new float[count][];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var fields = lines[i + 1].Split(',');
            features[i] = new float[FeatureCount];
            for (var j = 0; j < FeatureCount; j++)
            {
                features[i][j] = float.Parse(fields[j], CultureInfo.InvariantCulture);
            }

            labels[i] = int.Parse(fields[FeatureCount], CultureInfo.InvariantCulture);
        }

        return new IrisDataSet(header[2..], features, labels);
    }
}
