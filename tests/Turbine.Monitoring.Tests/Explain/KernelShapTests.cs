using Turbine.Monitoring.Explain;

namespace Turbine.Monitoring.Tests.Explain;

public sealed class KernelShapTests
{
    private static double[][] Background(int seed, int rows, int features)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, features).Select(_ => (random.NextDouble() * 4) - 2).ToArray()).ToArray();
    }

    private static BatchPredictor Model(Func<double[], double> f) => (rows, _) => Task.FromResult(rows.Select(f).ToArray());

    [Theory]
    [InlineData(4)] // exact enumeration
    [InlineData(11)] // exact, at the limit
    [InlineData(20)] // sampled with the SHAP kernel
    public async Task LinearModel_ShapEqualsWeightTimesDistanceFromBackgroundMean(int features)
    {
        var w = Enumerable.Range(0, features).Select(i => (i % 3) - 1.0 + (0.25 * i)).ToArray();
        var background = Background(2, 16, features);
        var x = Enumerable.Range(0, features).Select(i => 1.5 - (0.2 * i)).ToArray();
        var shap = new KernelShap(Model(r => 0.7 + r.Select((v, i) => v * w[i]).Sum()), background);
        var explanation = await shap.ExplainAsync(x);
        Assert.Equal(features <= KernelShap.ExactLimit, explanation.Exact);
        for (var i = 0; i < features; i++)
        {
            var expected = w[i] * (x[i] - background.Average(b => b[i]));
            Assert.Equal(expected, explanation.Values[i], 8);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(14)]
    public async Task NonLinearModel_ValuesSumToPredictionMinusExpectation(int features)
    {
        var background = Background(3, 20, features);
        double F(double[] r) => (r[0] * r[1]) + Math.Sin(r[2]) + (r[3] > 0 ? 1 : 0) + (features > 4 ? r[4] * r[4] * r[5] : 0);
        var x = Enumerable.Range(0, features).Select(i => 0.3 * (i + 1)).ToArray();
        var explanation = await new KernelShap(Model(F), background).ExplainAsync(x);
        var expectation = background.Average(F);
        Assert.Equal(expectation, explanation.ExpectedValue, 10);
        Assert.Equal(F(x), explanation.Prediction, 10);
        Assert.Equal(F(x) - expectation, explanation.Values.Sum(), 8);

        // Features the model ignores get nothing (exact enumeration; symmetry/dummy axioms).
        if (features == 4)
        {
            var dummy = await new KernelShap(Model(r => r[0] * r[1]), background).ExplainAsync(x);
            Assert.Equal(0, dummy.Values[2], 12);
            Assert.Equal(0, dummy.Values[3], 12);
        }
    }

    [Fact]
    public async Task Alibi_Shape_And_PermutationImportance()
    {
        var background = Background(4, 10, 3);
        var explanation = await new KernelShap(Model(r => (2 * r[0]) - r[2]), background).ExplainAsync([1, 1, 1]);
        var alibi = explanation.ToAlibi(["a", "b", "c"], [1, 1, 1], background.Length);
        Assert.Equal("KernelShap", (string)alibi["meta"]!["name"]!);
        Assert.Equal(3, alibi["data"]!["shap_values"]![0]![0]!.AsArray().Count);
        Assert.Equal(explanation.ExpectedValue, (double)alibi["data"]!["expected_value"]![0]!);
        Assert.Equal("a", (string)alibi["data"]!["raw"]!["importances"]!["0"]!["names"]![0]!);

        var rows = Background(5, 200, 3);
        var labels = rows.Select(r => (2 * r[0]) - r[2]).ToArray();
        var (baseline, importances) = await PermutationImportance.ComputeAsync(Model(r => (2 * r[0]) - r[2]), rows, labels, classification: false);
        Assert.Equal(0, baseline, 12);
        Assert.Equal(0, importances[1], 12); // b is unused
        Assert.True(importances[0] > importances[2] && importances[2] > 0);
    }
}
