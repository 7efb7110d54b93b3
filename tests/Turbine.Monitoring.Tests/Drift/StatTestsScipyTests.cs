using System.Globalization;
using System.Text.Json.Nodes;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Tests.Drift;

/// <summary>
/// Every drift statistic against the same computation done independently with numpy/scipy (Debian's python3-scipy),
/// on fixed seeded datasets, including the edge cases: constant columns, empty bins, a single category, a category
/// only one side has, ties.
/// </summary>
public sealed class StatTestsScipyTests
{
    private static double[] Normal(int seed, int n, double mean = 0, double std = 1)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Box–Muller; rounded so both sides read the same decimal text.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = Math.Round(mean + (std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)), 6);
        }

        return values;
    }

    private static string[] Categories(int seed, int n, params (string Key, double Weight)[] weights)
    {
        var random = new Random(seed);
        var total = weights.Sum(w => w.Weight);
        var values = new string[n];
        for (var i = 0; i < n; i++)
        {
            var x = random.NextDouble() * total;
            var k = 0;
            while (k < weights.Length - 1 && x >= weights[k].Weight)
            {
                x -= weights[k].Weight;
                k++;
            }

            values[i] = weights[k].Key;
        }

        return values;
    }

    private sealed record Case(string Name, string Test, double[]? RefNum, double[]? CurNum, string[]? RefCat, string[]? CurCat);

    private static Case Num(string name, string test, double[] reference, double[] current) => new(name, test, reference, current, null, null);

    private static Case Cat(string name, string test, string[] reference, string[] current) => new(name, test, null, null, reference, current);

    private static IEnumerable<Case> Cases()
    {
        var baseline = Normal(1, 400);
        yield return Num("ks same distribution", "ks", baseline, Normal(2, 300));
        yield return Num("ks shifted", "ks", baseline, Normal(3, 250, 0.4));
        yield return Num("ks equal sizes", "ks", Normal(4, 120), Normal(5, 120, 0.2));
        yield return Num("ks ties (integers)", "ks", Normal(6, 80).Select(v => Math.Round(v * 3)).ToArray(), Normal(7, 90, 0.3).Select(v => Math.Round(v * 3)).ToArray());
        yield return Num("ks tiny p-value", "ks", Normal(8, 300), Normal(9, 300, 1.5));
        yield return Num("wasserstein shifted", "wasserstein", Normal(10, 2000), Normal(11, 800, 0.3, 1.2));
        yield return Num("wasserstein constant reference", "wasserstein", Enumerable.Repeat(2.5, 50).ToArray(), Normal(12, 40, 2.5, 0.01));
        yield return Num("jensenshannon numeric bins", "jensenshannon", Normal(13, 1500), Normal(14, 700, 0.5));
        yield return Num("jensenshannon empty bins", "jensenshannon", Normal(15, 500), Normal(16, 300, 6));
        yield return Num("psi numeric", "psi", Normal(17, 1500), Normal(18, 600, 0.2));
        yield return Num("psi empty bins", "psi", Normal(19, 500), Normal(20, 300, 6));
        yield return Num("psi low-cardinality numeric", "psi", Normal(21, 300).Select(v => Math.Round(v)).ToArray(), Normal(22, 200, 0.5).Select(v => Math.Round(v)).ToArray());
        yield return Num("chisquare on a numeric with 4 values", "chisquare", Normal(23, 200).Select(v => Math.Clamp(Math.Round(v), -1, 2)).ToArray(), Normal(24, 150, 0.3).Select(v => Math.Clamp(Math.Round(v), -1, 2)).ToArray());
        yield return Num("z on a constant numeric column", "z", Enumerable.Repeat(1.0, 30).ToArray(), Enumerable.Repeat(1.0, 20).ToArray());

        var cats = Categories(30, 600, ("a", 5), ("b", 3), ("c", 2), ("d", 1));
        yield return Cat("chisquare same", "chisquare", cats, Categories(31, 400, ("a", 5), ("b", 3), ("c", 2), ("d", 1)));
        yield return Cat("chisquare shifted", "chisquare", cats, Categories(32, 400, ("a", 2), ("b", 3), ("c", 4), ("d", 1)));
        yield return Cat("chisquare empty bin (a reference category absent now)", "chisquare", cats, Categories(33, 300, ("a", 5), ("b", 3), ("c", 2)));
        yield return Cat("chisquare unseen category", "chisquare", cats, Categories(34, 300, ("a", 5), ("b", 3), ("e", 2)));
        yield return Cat("z binary shifted", "z", Categories(35, 500, ("yes", 3), ("no", 7)), Categories(36, 300, ("yes", 4), ("no", 6)));
        yield return Cat("z single category both sides", "z", Enumerable.Repeat("x", 40).ToArray(), Enumerable.Repeat("x", 30).ToArray());
        yield return Cat("z single category each, different", "z", Enumerable.Repeat("x", 40).ToArray(), Enumerable.Repeat("y", 30).ToArray());
        yield return Cat("jensenshannon categorical", "jensenshannon", cats, Categories(37, 400, ("a", 2), ("b", 3), ("c", 4), ("d", 1)));
        yield return Cat("jensenshannon single category", "jensenshannon", Enumerable.Repeat("x", 40).ToArray(), Enumerable.Repeat("x", 30).ToArray());
        yield return Cat("psi categorical with a missing category", "psi", cats, Categories(38, 400, ("a", 2), ("b", 3), ("c", 4)));
    }

    [Fact]
    public void EveryTest_AgreesWithScipy()
    {
        var cases = Cases().ToArray();
        var json = new JsonArray();
        foreach (var c in cases)
        {
            json.Add(new JsonObject
            {
                ["test"] = c.Test,
                ["kind"] = c.RefNum is null ? "cat" : "num",
                ["ref"] = c.RefNum is { } rn ? new JsonArray(rn.Select(v => (JsonNode)v).ToArray()) : new JsonArray(c.RefCat!.Select(v => (JsonNode)v).ToArray()),
                ["cur"] = c.CurNum is { } cn ? new JsonArray(cn.Select(v => (JsonNode)v).ToArray()) : new JsonArray(c.CurCat!.Select(v => (JsonNode)v).ToArray()),
            });
        }

        var expected = ScipyReference.Run(json);
        var failures = new List<string>();
        var options = new DriftOptions();
        for (var i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var profileOptions = new ProfileOptions { SampleSize = 10_000 };
            var result = c.RefNum is not null
                ? DriftDetector.DetectNumeric(ProfileBuilder.Numeric("f", c.RefNum, profileOptions), c.CurNum!, options with { FeatureTests = new Dictionary<string, string> { ["f"] = c.Test } })
                : DriftDetector.DetectCategorical(ProfileBuilder.Categorical("f", c.RefCat!, profileOptions), c.CurCat!, options with { FeatureTests = new Dictionary<string, string> { ["f"] = c.Test } });
            Assert.Equal(c.Test, result.Test);
            Check(failures, c.Name + " score", expected[i].Score, result.Score);
            Check(failures, c.Name + " statistic", expected[i].Statistic, result.Statistic);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void Check(List<string> failures, string what, double? expected, double actual)
    {
        if (expected is null)
        {
            if (!double.IsNaN(actual))
            {
                failures.Add($"{what}: scipy NaN, got {actual}");
            }

            return;
        }

        var e = expected.Value;
        var ok = double.IsInfinity(e) ? e == actual : Math.Abs(e - actual) <= 1e-9 + (1e-7 * Math.Abs(e));
        if (!ok)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: scipy {e:R}, got {actual:R}"));
        }
    }

    [Fact]
    public void Sturges_MatchesNumpyOnAConstantColumn()
    {
        var edges = StatTests.SturgesEdges([3.0, 3.0, 3.0]);
        Assert.Equal([2.5, 3.5], edges);
        Assert.Equal([3L], StatTests.Histogram([3.0, 3.0, 3.0], edges));
    }

    [Fact]
    public void FillZeroes_UsesEvidentlysEpsilon()
    {
        double[] coarse = [0.5, 0, 0.5];
        StatTests.FillZeroes(coarse);
        Assert.Equal(0.0001, coarse[1]);
        double[] fine = [0.99995, 0, 0.00005];
        StatTests.FillZeroes(fine);
        Assert.Equal(0.00005 / 1e6, fine[1], 15);
    }
}
