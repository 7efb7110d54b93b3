using MathNet.Numerics.LinearAlgebra;

namespace Turbine.Monitoring.Explain;

/// <summary>
/// Rows in, one model output per row back: the batched inference path (the server sends the perturbed rows through
/// its scheduler as batches), or a function in tests.
/// </summary>
public delegate Task<double[]> BatchPredictor(double[][] rows, CancellationToken cancellationToken);

/// <summary>
/// KernelSHAP with a background set: the value of a coalition S is the mean model output over the background rows
/// with the features in S taken from the instance. With at most <see cref="ExactLimit"/> features every coalition is
/// evaluated and the Shapley values are exact; above, coalitions are sampled with the SHAP kernel weight
/// (M − 1) / (C(M, |S|) · |S| · (M − |S|)) and the values are the weighted least-squares fit constrained to
/// Σφ = f(x) − E[f(background)], as the shap library does.
/// </summary>
public sealed class KernelShap
{
    /// <summary>Feature counts up to this are enumerated exactly (2^11 = 2048 coalitions).</summary>
    public const int ExactLimit = 11;

    private readonly BatchPredictor _predict;
    private readonly double[][] _background;

    public KernelShap(BatchPredictor predict, double[][] background)
    {
        if (background.Length == 0)
        {
            throw new ArgumentException("the background set is empty", nameof(background));
        }

        _predict = predict;
        _background = background;
    }

    /// <summary>Coalitions sampled above <see cref="ExactLimit"/> features (default 2·M + 2048, as shap's "auto").</summary>
    public int? Samples { get; init; }

    /// <summary>Seed of the coalition sampler (explanations are reproducible).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Largest number of rows sent to the model per batch.</summary>
    public int BatchRows { get; init; } = 4096;

    public async Task<ShapExplanation> ExplainAsync(double[] instance, CancellationToken ct = default)
    {
        var m = instance.Length;
        if (_background.Any(b => b.Length != m))
        {
            throw new ArgumentException($"the instance has {m} features, the background rows do not", nameof(instance));
        }

        var expected = (await PredictAsync(_background, ct).ConfigureAwait(false)).Average();
        var fx = (await PredictAsync([instance], ct).ConfigureAwait(false))[0];
        double[] phi;
        var exact = m <= ExactLimit;
        if (exact)
        {
            phi = await ExactAsync(instance, ct).ConfigureAwait(false);
        }
        else
        {
            phi = await SampledAsync(instance, fx, expected, ct).ConfigureAwait(false);
        }

        return new ShapExplanation(phi, expected, fx, exact);
    }

    private async Task<double[]> ExactAsync(double[] x, CancellationToken ct)
    {
        var m = x.Length;
        var coalitions = Enumerable.Range(0, 1 << m).Select(mask => Enumerable.Range(0, m).Select(i => (mask & (1 << i)) != 0).ToArray()).ToArray();
        var value = await CoalitionValuesAsync(x, coalitions, ct).ConfigureAwait(false);
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (var k = 1; k <= m; k++)
        {
            factorial[k] = factorial[k - 1] * k;
        }

        var phi = new double[m];
        for (var mask = 0; mask < 1 << m; mask++)
        {
            var size = System.Numerics.BitOperations.PopCount((uint)mask);
            for (var i = 0; i < m; i++)
            {
                if ((mask & (1 << i)) == 0)
                {
                    var weight = factorial[size] * factorial[m - size - 1] / factorial[m];
                    phi[i] += weight * (value[mask | (1 << i)] - value[mask]);
                }
            }
        }

        return phi;
    }

    private async Task<double[]> SampledAsync(double[] x, double fx, double expected, CancellationToken ct)
    {
        var m = x.Length;
        var n = Samples ?? ((2 * m) + 2048);
        var random = new Random(Seed);

        // Coalition sizes 1..M−1 drawn in proportion to the kernel's total weight per size, (M−1)/(s(M−s)).
        var sizeWeights = Enumerable.Range(1, m - 1).Select(s => (m - 1.0) / (s * (m - s))).ToArray();
        var total = sizeWeights.Sum();
        var coalitions = new List<bool[]>(n);
        for (var k = 0; k < n; k++)
        {
            var u = random.NextDouble() * total;
            var size = 1;
            while (size < m - 1 && u >= sizeWeights[size - 1])
            {
                u -= sizeWeights[size - 1];
                size++;
            }

            var members = Enumerable.Range(0, m).OrderBy(_ => random.Next()).Take(size).ToHashSet();
            coalitions.Add(Enumerable.Range(0, m).Select(members.Contains).ToArray());
        }

        var values = await CoalitionValuesAsync(x, coalitions, ct).ConfigureAwait(false);

        // Sampling by the kernel already weights the coalitions: fit with equal weights. Eliminate φ_M with the
        // constraint φ_M = (f(x) − E) − Σ_{i<M} φ_i:  y − z_M·Δ = Σ_{i<M} φ_i (z_i − z_M).
        var delta = fx - expected;
        var a = Matrix<double>.Build.Dense(n, m - 1);
        var y = Vector<double>.Build.Dense(n);
        for (var r = 0; r < n; r++)
        {
            var zm = coalitions[r][m - 1] ? 1.0 : 0.0;
            for (var i = 0; i < m - 1; i++)
            {
                a[r, i] = (coalitions[r][i] ? 1.0 : 0.0) - zm;
            }

            y[r] = values[r] - expected - (zm * delta);
        }

        var solution = a.TransposeThisAndMultiply(a).Solve(a.TransposeThisAndMultiply(y));
        var phi = new double[m];
        for (var i = 0; i < m - 1; i++)
        {
            phi[i] = solution[i];
        }

        phi[m - 1] = delta - solution.Sum();
        return phi;
    }

    /// <summary>v(S) = mean over the background of f(x on S, background elsewhere), for every coalition.</summary>
    private async Task<double[]> CoalitionValuesAsync(double[] x, IReadOnlyList<bool[]> coalitions, CancellationToken ct)
    {
        var bg = _background.Length;
        var rows = new double[coalitions.Count * bg][];
        for (var c = 0; c < coalitions.Count; c++)
        {
            for (var b = 0; b < bg; b++)
            {
                var row = (double[])_background[b].Clone();
                for (var i = 0; i < x.Length; i++)
                {
                    if (coalitions[c][i])
                    {
                        row[i] = x[i];
                    }
                }

                rows[(c * bg) + b] = row;
            }
        }

        var outputs = await PredictAsync(rows, ct).ConfigureAwait(false);
        var values = new double[coalitions.Count];
        for (var c = 0; c < coalitions.Count; c++)
        {
            double sum = 0;
            for (var b = 0; b < bg; b++)
            {
                sum += outputs[(c * bg) + b];
            }

            values[c] = sum / bg;
        }

        return values;
    }

    private async Task<double[]> PredictAsync(double[][] rows, CancellationToken ct)
    {
        var result = new double[rows.Length];
        for (var start = 0; start < rows.Length; start += BatchRows)
        {
            var batch = rows.AsSpan(start, Math.Min(BatchRows, rows.Length - start)).ToArray();
            var outputs = await _predict(batch, ct).ConfigureAwait(false);
            if (outputs.Length != batch.Length)
            {
                throw new InvalidOperationException($"the model answered {outputs.Length} outputs for {batch.Length} rows");
            }

            outputs.CopyTo(result, start);
        }

        return result;
    }
}
