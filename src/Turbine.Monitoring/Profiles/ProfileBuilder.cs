using System.Globalization;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Drift;

namespace Turbine.Monitoring.Profiles;

/// <summary>Builds a <see cref="ReferenceProfile"/> from a dataset.</summary>
public static class ProfileBuilder
{
    public static ReferenceProfile Build(FeatureTable table, ProfileOptions? options = null, string? source = null, TimeProvider? time = null)
    {
        options ??= ProfileOptions.Default;
        var features = table.Columns.Select(c => c.IsNumeric ? Numeric(c.Name, c.Numbers!, options) : Categorical(c.Name, c.Texts!, options)).ToArray();
        return new ReferenceProfile
        {
            CreatedAt = (time ?? TimeProvider.System).GetUtcNow(),
            Source = source,
            Rows = table.RowCount,
            Features = features,
        };
    }

    /// <summary>Round-trip text of a number used as a category key.</summary>
    public static string NumberKey(double value) => (value == 0 ? 0.0 : value).ToString("R", CultureInfo.InvariantCulture); // -0 and 0 are one value

    internal static FeatureProfile Numeric(string name, double[] values, ProfileOptions options)
    {
        var finite = new List<double>(values.Length);
        long missing = 0, infinite = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                missing++;
            }
            else if (double.IsInfinity(v))
            {
                infinite++;
            }
            else
            {
                finite.Add(v);
            }
        }

        var sorted = finite.ToArray();
        Array.Sort(sorted);
        if (sorted.Length == 0)
        {
            return new FeatureProfile { Name = name, Kind = FeatureKind.Numeric, Missing = missing, Infinite = infinite, Sample = [], SampleIsExact = true };
        }

        var counts = new Dictionary<string, long>();
        long distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                distinct++;
            }
        }

        if (distinct <= options.NumericCategoryLimit)
        {
            foreach (var v in sorted)
            {
                var key = NumberKey(v);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var edges = StatTests.SturgesEdges(sorted);
        return new FeatureProfile
        {
            Name = name,
            Kind = FeatureKind.Numeric,
            Count = sorted.Length,
            Missing = missing,
            Infinite = infinite,
            Distinct = distinct,
            Min = sorted[0],
            Max = sorted[^1],
            Mean = sorted.Average(),
            Std = StatTests.PopulationStd(sorted),
            Quantiles = ProfileOptions.QuantileProbabilities.ToDictionary(p => p.ToString(CultureInfo.InvariantCulture), p => Quantile(sorted, p)),
            Histogram = new Histogram(edges, StatTests.Histogram(sorted, edges)),
            Categories = counts.Count > 0 ? counts : null,
            Sample = Sample(sorted, options.SampleSize),
            SampleIsExact = sorted.Length <= options.SampleSize,
        };
    }

    internal static FeatureProfile Categorical(string name, string?[] values, ProfileOptions options)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var v in values)
        {
            if (v is null)
            {
                missing++;
            }
            else
            {
                counts[v] = counts.GetValueOrDefault(v) + 1;
            }
        }

        var kept = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(options.MaxCategories).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new FeatureProfile
        {
            Name = name,
            Kind = FeatureKind.Categorical,
            Count = values.Length - missing,
            Missing = missing,
            Distinct = counts.Count,
            Categories = kept,
            OtherCount = counts.Values.Sum() - kept.Values.Sum(),
        };
    }

    /// <summary>numpy's default (linear) quantile of sorted values.</summary>
    public static double Quantile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (position - lo));
    }

    private static double[] Sample(double[] sorted, int size)
    {
        if (sorted.Length <= size)
        {
            return sorted;
        }

        var sample = new double[size];
        for (var k = 0; k < size; k++)
        {
            sample[k] = Quantile(sorted, (k + 0.5) / size);
        }

        return sample;
    }
}
