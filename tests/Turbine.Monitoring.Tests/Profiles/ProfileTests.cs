using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Registry;

namespace Turbine.Monitoring.Tests.Profiles;

public sealed class ProfileTests
{
    private sealed class Row
    {
        public double Amount { get; set; }

        public int? Age { get; set; }

        public string? Country { get; set; }
    }

    private static Row[] Rows() =>
        Enumerable.Range(0, 200).Select(i => new Row { Amount = (i * 7 % 101) + 0.5, Age = i % 10 == 0 ? null : 20 + (i % 50), Country = i % 3 == 0 ? "de" : i % 3 == 1 ? "fr" : null }).ToArray();

    [Fact]
    public async Task Parquet_And_Csv_GiveTheSameProfile_QuantilesAsNumpy()
    {
        using var folder = new TempFolder("turbine-profile");
        var parquet = folder.File("train.parquet");
        await ParquetSerializer.SerializeAsync(Rows(), parquet);
        var csvPath = folder.File("train.csv");
        await File.WriteAllLinesAsync(csvPath, Rows().Select(r => $"{r.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)},{r.Age},{r.Country}").Prepend("Amount,Age,Country"));

        foreach (var path in new[] { parquet, csvPath })
        {
            var profile = ProfileBuilder.Build(await TableReader.ReadAsync(path));
            Assert.Equal(200, profile.Rows);
            var age = profile.Find("Age")!;
            Assert.Equal(FeatureKind.Numeric, age.Kind);
            Assert.Equal(20, age.Missing);
            Assert.Equal(180, age.Count);
            var country = profile.Find("Country")!;
            Assert.Equal(FeatureKind.Categorical, country.Kind);
            Assert.Equal(66, country.Missing);
            Assert.Equal(67, country.Categories!["de"]);

            // numpy: np.quantile(values, [.25, .5, .99]) with the default linear method.
            var amounts = Rows().Select(r => r.Amount).Order().ToArray();
            var amount = profile.Find("Amount")!;
            Assert.True(Math.Abs(Numpy(amounts, 0.25) - amount.Quantiles!["0.25"]) < 1e-12,
                $"{Path.GetExtension(path)}: 0.25 quantile {amount.Quantiles["0.25"]}, numpy {Numpy(amounts, 0.25)}; min {amount.Min}, count {amount.Count}, sample {string.Join(' ', amount.Sample!.Take(8))}");
            Assert.Equal(Numpy(amounts, 0.99), amount.Quantiles["0.99"], 12);
            Assert.Equal(200, amount.Histogram!.Counts.Sum());
            Assert.Equal(9, amount.Histogram.Counts.Length); // Sturges: ceil(log2(200) + 1)
        }
    }

    private static double Numpy(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        return sorted[lo] + ((sorted[Math.Min(lo + 1, sorted.Length - 1)] - sorted[lo]) * (pos - lo));
    }

    [Fact]
    public void Card_KeepsTheUsersText_AndRoundTripsTheProfile()
    {
        var profile = ProfileBuilder.Build(new FeatureTable([FeatureColumn.Numeric("x", [1, 2, 3, double.NaN]), FeatureColumn.Categorical("c", ["a", "b", null, "a"])]));
        var card = ProfileCard.Embed("# Fraud model\n\nTrained on June data.", profile);
        var again = ProfileCard.Embed(card, profile with { Rows = 99 });
        Assert.StartsWith("# Fraud model\n\nTrained on June data.\n\n" + ProfileCard.Begin, again, StringComparison.Ordinal);
        Assert.Equal(2, again.Split(ProfileCard.Begin).Length); // one profile block, the old one replaced
        var back = ProfileCard.Extract(again)!;
        Assert.Equal(99, back.Rows);
        Assert.Equal(1, back.Find("x")!.Missing);
        Assert.Equal(2, back.Find("c")!.Categories!["a"]);
        Assert.Null(ProfileCard.Extract("just text"));
    }

    [Fact]
    public void SageMaker_StatisticsAndConstraints_Shapes()
    {
        var profile = ProfileBuilder.Build(new FeatureTable([FeatureColumn.Numeric("x", [1, 2, 3, double.NaN]), FeatureColumn.Categorical("c", ["a", "b", null, "a"])]));
        var stats = SageMakerExport.Statistics(profile);
        Assert.Equal(4, (long)stats["dataset"]!["item_count"]!);
        var x = stats["features"]![0]!;
        Assert.Equal("Integral", (string)x["inferred_type"]!);
        Assert.Equal(3, (long)x["numerical_statistics"]!["common"]!["num_present"]!);
        Assert.Equal(1, (long)x["numerical_statistics"]!["common"]!["num_missing"]!);
        Assert.Equal(2.0, (double)x["numerical_statistics"]!["mean"]!);
        Assert.Equal(3, x["numerical_statistics"]!["distribution"]!["kll"]!["buckets"]!.AsArray().Sum(b => (long)b!["count"]!));
        var c = stats["features"]![1]!;
        Assert.Equal("String", (string)c["inferred_type"]!);
        Assert.Equal(2, (long)c["string_statistics"]!["distinct_count"]!);
        var constraints = SageMakerExport.Constraints(profile);
        Assert.Equal(0.75, (double)constraints["features"]![0]!["completeness"]!);
        Assert.Equal(["a", "b"], constraints["features"]![1]!["string_constraints"]!["domains"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("Enabled", (string)constraints["monitoring_config"]!["evaluate_constraints"]!);
    }

    [Fact]
    public async Task Reader_RefusesWhatIsNotARegularFile_AndTooManyRows()
    {
        using var folder = new TempFolder("turbine-profile");
        await Assert.ThrowsAsync<InvalidDataException>(() => TableReader.ReadAsync(folder.Path + "/missing.csv"));
        Directory.CreateDirectory(folder.File("dir.csv"));
        await Assert.ThrowsAsync<InvalidDataException>(() => TableReader.ReadAsync(folder.File("dir.csv")));
        File.CreateSymbolicLink(folder.File("link.csv"), "/etc/passwd");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => TableReader.ReadAsync(folder.File("link.csv")));
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        await File.WriteAllTextAsync(folder.File("big.csv"), "a\n1\n2\n3\n");
        var big = await Assert.ThrowsAsync<InvalidDataException>(() => TableReader.ReadAsync(folder.File("big.csv"), new TableLimits { MaxRows = 2 }));
        Assert.Contains("limit", big.Message, StringComparison.Ordinal);
        _ = JsonSerializer.Serialize(new JsonObject());
    }
}
