using Turbine.Monitoring.Data;
using Turbine.Monitoring.Online;

namespace Turbine.Monitoring.Tests.Online;

/// <summary>Seeded tabular data: three numeric features and one categorical, optionally shifted.</summary>
internal static class StreamData
{
    public static readonly string[] Colors = ["red", "green", "blue"];

    public static FeatureTable Table(int seed, int rows, double shift = 0)
    {
        var random = new Random(seed);
        var a = new double[rows];
        var b = new double[rows];
        var c = new double[rows];
        var color = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            a[i] = Gauss(random) + shift;
            b[i] = (Gauss(random) * 3) + 10 + (3 * shift);
            c[i] = random.NextDouble() * (1 + shift);
            var u = random.NextDouble();
            color[i] = u < 0.5 - (0.3 * shift) ? "red" : u < 0.8 ? "green" : "blue";
        }

        return new FeatureTable([FeatureColumn.Numeric("a", a), FeatureColumn.Numeric("b", b), FeatureColumn.Numeric("c", c), FeatureColumn.Categorical("color", color)]);
    }

    /// <summary>The table as observations of <paramref name="batch"/> rows each, request ids "{prefix}-{n}".</summary>
    public static IEnumerable<Observation> Observations(FeatureTable table, string model, long version, DateTimeOffset time, int batch, string prefix = "r")
    {
        for (var start = 0; start < table.RowCount; start += batch)
        {
            var n = Math.Min(batch, table.RowCount - start);
            var numbers = table.Columns.Where(c => c.IsNumeric).ToDictionary(c => c.Name, c => c.Numbers!.AsSpan(start, n).ToArray());
            var texts = table.Columns.Where(c => !c.IsNumeric).ToDictionary(c => c.Name, c => c.Texts!.AsSpan(start, n).ToArray());
            yield return new Observation
            {
                RequestId = $"{prefix}-{start / batch}",
                Model = model,
                Version = version,
                Time = time,
                Rows = n,
                Numbers = numbers,
                Texts = texts,
                Predictions = Enumerable.Range(0, n).Select(i => new[] { numbers["a"][i] > 0 ? 0.8 : 0.2 }).ToArray(),
            };
        }
    }

    private static double Gauss(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
