namespace Turbine.Monitoring.Drift;

public static partial class StatTests
{
    /// <summary>
    /// numpy's <c>histogram_bin_edges(values, bins="sturges")</c>: ⌈ptp / (ptp / (log2 n + 1))⌉ equal bins over
    /// [min, max] (±0.5 around a constant), edges as <c>linspace</c> builds them.
    /// </summary>
    public static double[] SturgesEdges(ReadOnlySpan<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var ptp = max - min;
        double first = min, last = max;
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        var bins = 1;
        if (values.Length > 0)
        {
            var width = ptp / (Math.Log2(values.Length) + 1.0);
            if (width > 0)
            {
                bins = (int)Math.Ceiling((last - first) / width);
            }
        }

        var edges = new double[bins + 1];
        var step = (last - first) / bins;
        for (var k = 0; k < bins; k++)
        {
            edges[k] = (k * step) + first;
        }

        edges[bins] = last;
        return edges;
    }

    /// <summary>numpy's <c>histogram(values, edges)</c>: [e_k, e_k+1) bins, the last closed; values outside are not counted.</summary>
    public static long[] Histogram(ReadOnlySpan<double> values, double[] edges)
    {
        var counts = new long[edges.Length - 1];
        var last = edges[^1];
        foreach (var v in values)
        {
            if (v < edges[0] || v > last || double.IsNaN(v))
            {
                continue;
            }

            if (v == last)
            {
                counts[^1]++;
                continue;
            }

            // Largest k with edges[k] <= v.
            int lo = 0, hi = edges.Length - 1;
            while (hi - lo > 1)
            {
                var mid = (lo + hi) >>> 1;
                if (edges[mid] <= v)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            counts[lo]++;
        }

        return counts;
    }

    /// <summary>
    /// Evidently's empty-bin fill for PSI: zero shares become min(non-zero)/10⁶ when that minimum is ≤ 0.0001, else 0.0001.
    /// </summary>
    public static void FillZeroes(Span<double> shares)
    {
        var min = double.PositiveInfinity;
        foreach (var s in shares)
        {
            if (s != 0)
            {
                min = Math.Min(min, s);
            }
        }

        if (double.IsPositiveInfinity(min))
        {
            return;
        }

        var fill = min <= 0.0001 ? min / 1e6 : 0.0001;
        for (var k = 0; k < shares.Length; k++)
        {
            if (shares[k] == 0)
            {
                shares[k] = fill;
            }
        }
    }
}
