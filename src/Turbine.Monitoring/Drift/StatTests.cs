using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Turbine.Monitoring.Drift;

/// <summary>
/// The drift statistics, computed as Evidently computes them (on top of scipy) so the numbers agree with what data
/// scientists already see: two-sample Kolmogorov–Smirnov p-value (scipy <c>ks_2samp</c>, exact below 10,000 samples),
/// chi-squared p-value with the reference proportions scaled to the current count, the two-proportion Z-test p-value,
/// the first Wasserstein distance divided by the reference's population standard deviation (at least 0.001),
/// the Jensen–Shannon distance (base 2) and the population stability index over Sturges bins or category shares.
/// Inputs hold no missing values (the caller drops NaN/±Inf and nulls first, as Evidently does).
/// </summary>
public static partial class StatTests
{
    /// <summary>Above this many samples on either side <see cref="KolmogorovSmirnov"/> uses the asymptotic distribution (scipy's MAX_AUTO_N).</summary>
    public const int KsExactLimit = 10_000;

    /// <summary>Two-sample KS: returns (D, two-sided p-value).</summary>
    public static (double Statistic, double PValue) KolmogorovSmirnov(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        int n1 = reference.Length, n2 = current.Length;
        if (n1 == 0 || n2 == 0)
        {
            return (double.NaN, double.NaN);
        }

        var a = reference.ToArray();
        var b = current.ToArray();
        Array.Sort(a);
        Array.Sort(b);

        // D·n1·n2 as an integer: max over the distinct values of |c1·n2 − c2·n1|, c = how many values are ≤ it.
        long best = 0;
        int i = 0, j = 0;
        while (i < n1 || j < n2)
        {
            var x = i < n1 && (j >= n2 || a[i] <= b[j]) ? a[i] : b[j];
            while (i < n1 && a[i] == x)
            {
                i++;
            }

            while (j < n2 && b[j] == x)
            {
                j++;
            }

            best = Math.Max(best, Math.Abs(((long)i * n2) - ((long)j * n1)));
        }

        var d = best / ((double)n1 * n2);
        if (best == 0)
        {
            return (0, 1);
        }

        if (Math.Max(n1, n2) <= KsExactLimit)
        {
            return (d, Math.Clamp(1 - KsInsideProbability(n1, n2, best), 0, 1));
        }

        // Asymptotic (Kolmogorov's limit with the effective size m·n/(m+n)).
        var en = (double)n1 * n2 / (n1 + n2);
        return (d, KolmogorovSurvival(Math.Sqrt(en) * d));
    }

    /// <summary>
    /// Probability that a uniformly random merge of n1 and n2 values keeps |i·n2 − j·n1| below <paramref name="h"/> at
    /// every step: g(i,j) = g(i−1,j)·i/(i+j) + g(i,j−1)·j/(i+j) is the share of paths to (i,j) that stayed inside.
    /// </summary>
    private static double KsInsideProbability(int n1, int n2, long h)
    {
        // Only the band |i·n2 − j·n1| < h can be non-zero: each row visits j in [lo, hi] (one wider on each side, the
        // exact test stays inside), and the cells the band leaves on the left are zeroed. The band moves right with i.
        var row = new double[n2 + 1];
        for (var j = 0; j <= n2; j++)
        {
            row[j] = (long)j * n1 < h ? 1 : 0;
        }

        var previousLo = 0;
        for (var i = 1; i <= n1; i++)
        {
            var centre = (long)i * n2;
            var lo = (int)Math.Clamp(((centre - h) / n1) - 1, 0, n2);
            var hi = (int)Math.Clamp(((centre + h) / n1) + 1, 0, n2);
            for (var j = previousLo; j < lo; j++)
            {
                row[j] = 0;
            }

            previousLo = lo;
            if (lo == 0)
            {
                row[0] = centre < h ? row[0] : 0; // column 0: only steps in i
            }

            for (var j = Math.Max(lo, 1); j <= hi; j++)
            {
                if (Math.Abs(centre - ((long)j * n1)) >= h)
                {
                    row[j] = 0;
                    continue;
                }

                var inverse = 1.0 / (i + j);
                row[j] = ((row[j] * i) + (row[j - 1] * j)) * inverse;
            }
        }

        return row[n2];
    }

    private static double KolmogorovSurvival(double z)
    {
        if (z < 0.27)
        {
            return 1;
        }

        double sum = 0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * z * z);
            sum += (k % 2 == 1 ? 1 : -1) * term;
            if (term < 1e-17)
            {
                break;
            }
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>
    /// Chi-squared goodness of fit of the current counts against the reference counts scaled to the current total
    /// (Evidently's <c>chisquare</c>): returns (χ², p-value with k−1 degrees of freedom).
    /// </summary>
    public static (double Statistic, double PValue) ChiSquare(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current)
    {
        long nRef = reference.Values.Sum(), nCur = current.Values.Sum();
        if (nRef == 0 || nCur == 0)
        {
            return (double.NaN, double.NaN);
        }

        var keys = reference.Keys.Union(current.Keys).ToArray();
        var scale = (double)nCur / nRef;
        double chi = 0;
        foreach (var key in keys)
        {
            var expected = reference.GetValueOrDefault(key) * scale;
            var observed = (double)current.GetValueOrDefault(key);
            var diff = observed - expected;
            chi += expected == 0 ? (diff == 0 ? 0 : double.PositiveInfinity) : diff * diff / expected;
        }

        var dof = keys.Length - 1;
        if (dof < 1)
        {
            return (chi, double.NaN);
        }

        var p = double.IsPositiveInfinity(chi) ? 0 : SpecialFunctions.GammaUpperRegularized(dof / 2.0, chi / 2.0);
        return (chi, p);
    }

    /// <summary>
    /// Two-proportion Z-test on a binary feature (Evidently's <c>z</c>): the share of the first category in sorted order
    /// vs the rest; p = 1 when both sides hold the same single value. Returns (z, two-sided p-value).
    /// </summary>
    public static (double Statistic, double PValue) ProportionZ(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current)
    {
        long n1 = reference.Values.Sum(), n2 = current.Values.Sum();
        if (n1 == 0 || n2 == 0)
        {
            return (double.NaN, double.NaN);
        }

        var refKeys = reference.Where(p => p.Value > 0).Select(p => p.Key).ToArray();
        var curKeys = current.Where(p => p.Value > 0).Select(p => p.Key).ToArray();
        if (refKeys.Length == 1 && curKeys.Length == 1 && refKeys[0] == curKeys[0])
        {
            return (0, 1);
        }

        var first = refKeys.Union(curKeys).Order(CategoryOrder.Instance).First();

        // Evidently codes the first category as 0 and everything else as 1, then compares the shares of 1.
        var p1 = (double)(n1 - reference.GetValueOrDefault(first)) / n1;
        var p2 = (double)(n2 - current.GetValueOrDefault(first)) / n2;
        var pooled = ((p1 * n1) + (p2 * n2)) / (n1 + n2);
        var z = (p1 - p2) / Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        var p = 2 * (1 - Normal.CDF(0, 1, Math.Abs(z)));
        return (z, p);
    }

    /// <summary>First Wasserstein distance divided by max(population std of the reference, 0.001).</summary>
    public static double NormalizedWasserstein(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, double? referenceStd = null)
    {
        if (reference.Length == 0 || current.Length == 0)
        {
            return double.NaN;
        }

        var std = referenceStd ?? PopulationStd(reference);
        return Wasserstein(reference, current) / Math.Max(std, 0.001);
    }

    /// <summary>First Wasserstein distance between two samples: ∫ |F_u − F_v| over the merged support.</summary>
    public static double Wasserstein(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var a = u.ToArray();
        var b = v.ToArray();
        Array.Sort(a);
        Array.Sort(b);
        var all = new double[a.Length + b.Length];
        a.CopyTo(all, 0);
        b.CopyTo(all, a.Length);
        Array.Sort(all);
        double total = 0;
        int i = 0, j = 0;
        for (var k = 0; k < all.Length - 1; k++)
        {
            var x = all[k];
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            total += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (all[k + 1] - x);
        }

        return total;
    }

    /// <summary>Population standard deviation (numpy's default ddof = 0).</summary>
    public static double PopulationStd(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double sum = 0;
        foreach (var v in values)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>Jensen–Shannon distance (base 2) of two share vectors (normalized to sum 1 first, as scipy does).</summary>
    public static double JensenShannon(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        double sp = 0, sq = 0;
        for (var k = 0; k < p.Length; k++)
        {
            sp += p[k];
            sq += q[k];
        }

        double js = 0;
        for (var k = 0; k < p.Length; k++)
        {
            double pk = p[k] / sp, qk = q[k] / sq, m = (pk + qk) / 2;
            js += RelativeEntropy(pk, m) + RelativeEntropy(qk, m);
        }

        return Math.Sqrt(Math.Max(js / 2 / Math.Log(2), 0));
    }

    /// <summary>Population stability index Σ (r − c)·ln(r / c) over shares with zeros already filled.</summary>
    public static double Psi(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double psi = 0;
        for (var k = 0; k < reference.Length; k++)
        {
            psi += (reference[k] - current[k]) * Math.Log(reference[k] / current[k]);
        }

        return psi;
    }

    private static double RelativeEntropy(double x, double y) =>
        x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;
}
