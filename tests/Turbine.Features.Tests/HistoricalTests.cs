using System.Diagnostics;
using System.Globalization;
using System.Text;
using Turbine.Features.Definitions;
using Turbine.Features.Historical;
using Turbine.Features.Serving;
using Turbine.Features.Sources;

namespace Turbine.Features.Tests;

public sealed class HistoricalTests
{
    private static DateTime At(int minutes) => RepoBuilder.T0.AddMinutes(minutes);

    [Fact]
    public async Task GetHistorical_PointInTime_LateArrivingTtlAndTieBreak()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        // (user, T, amount) and the expected spend at T.
        var cases = new (long User, int T, double Amount, double? Spend, string? Tier)[]
        {
            (1, 599, 1, null, null),        // before any event
            (1, 600, 1, 10.0, "a"),         // exactly at the event time: included
            (1, 640, 1, 15.0, "late"),      // the late-arriving 10:30 row is the latest at 10:40
            (1, 700, 1, 21.0, "c"),         // 11:00 tie: created 11:05 wins over 11:00
            (1, 780, 1, 21.0, "c"),         // 13:00: 2 h after 11:00, still within ttl
            (1, 781, 1, null, null),        // 13:01: outside ttl 2h
            (2, 601, 3, null, "d"),         // a row with a null feature
            (3, 200, 1, 1.0, "old"),
            (4, 700, 1, null, null),        // no rows at all for this entity
        };
        var entityPath = folder.File("entities.parquet");
        await ParquetTable.WriteAsync(entityPath,
        [
            new TableColumn("user_id", FeatureType.Int64, cases.Select(c => (object?)c.User).ToArray()),
            new TableColumn("event_timestamp", FeatureType.UnixTimestamp, cases.Select(c => (object?)At(c.T)).ToArray()),
            new TableColumn("amount", FeatureType.Float64, cases.Select(c => (object?)c.Amount).ToArray()),
        ]);

        var plan = FeatureResolver.ResolveService(repo, "fraud_v1");
        var output = folder.File("train.parquet");
        var result = await HistoricalRetriever.RunAsync(repo, plan, entityPath, output, fullFeatureNames: false);
        Assert.Equal(cases.Length, result.Rows);
        Assert.Equal(["user_id", "event_timestamp", "amount", "spend", "orders", "tier", "amount_ratio"], result.Columns);

        var table = await RepoBuilder.ReadAllAsync(output);
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(cases[i].Spend, (double?)table["spend"][i]);
            Assert.Equal(cases[i].Tier, (string?)table["tier"][i]);
            Assert.Equal(cases[i].Amount / ((cases[i].Spend ?? 0) + 1), (double?)table["amount_ratio"][i]);
        }
    }

    [Fact]
    public async Task GetHistorical_MissingEntityColumn_NamesIt()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        var entityPath = folder.File("entities.parquet");
        await ParquetTable.WriteAsync(entityPath, [new TableColumn("user_id", FeatureType.Int64, [1L])]);
        var e = await Assert.ThrowsAsync<FeatureRepoException>(() => HistoricalRetriever.RunAsync(repo, FeatureResolver.Resolve(repo, ["user_stats:spend"]), entityPath, folder.File("o.parquet"), false));
        Assert.Contains("column 'event_timestamp' is required", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random data with many ties, TTL expiry and late rows, joined by Turbine and independently by pandas
    /// <c>merge_asof</c> (/usr/bin/python3) on the same CSV files: the two must agree row for row.
    /// </summary>
    [Fact]
    public async Task GetHistorical_AgreesWithPandasMergeAsof()
    {
        using var folder = RepoBuilder.Create(RepoBuilder.Yaml
            .Replace("type: parquet\n    path: data/user_stats.parquet", "type: csv\n    path: data/user_stats.csv", StringComparison.Ordinal));
        var random = new Random(18);
        var source = new StringBuilder("user_id,event_timestamp,created,spend,orders,tier\n");
        for (var i = 0; i < 3000; i++)
        {
            var e = random.Next(0, 2000);
            source.Append(CultureInfo.InvariantCulture, $"{random.Next(1, 60)},{At(e):yyyy-MM-ddTHH:mm:ss}Z,{At(e + random.Next(0, 4)):yyyy-MM-ddTHH:mm:ss}Z,{i}.5,{i},t{i}\n");
        }

        File.WriteAllText(folder.File("data/user_stats.csv"), source.ToString());
        var entities = new StringBuilder("user_id,event_timestamp,amount\n");
        for (var i = 0; i < 2000; i++)
        {
            entities.Append(CultureInfo.InvariantCulture, $"{random.Next(1, 65)},{At(random.Next(0, 2300)):yyyy-MM-ddTHH:mm:ss}Z,{random.Next(1, 100)}\n");
        }

        File.WriteAllText(folder.File("entities.csv"), entities.ToString());
        var repo = FeatureRepoLoader.Load(folder.Path);
        var output = folder.File("train.parquet");
        await HistoricalRetriever.RunAsync(repo, FeatureResolver.Resolve(repo, ["user_stats:orders"]), folder.File("entities.csv"), output, false);
        var ours = (await RepoBuilder.ReadAllAsync(output))["orders"];

        const string script = """
            import sys, pandas as pd
            src = pd.read_csv(sys.argv[1], parse_dates=["event_timestamp", "created"])
            ent = pd.read_csv(sys.argv[2], parse_dates=["event_timestamp"])
            ent["_row"] = range(len(ent))
            src = src.sort_values(["event_timestamp", "created"], kind="stable")
            ent = ent.sort_values("event_timestamp", kind="stable")
            out = pd.merge_asof(ent, src[["user_id", "event_timestamp", "orders"]], on="event_timestamp", by="user_id",
                                direction="backward", tolerance=pd.Timedelta(hours=2), allow_exact_matches=True)
            out = out.sort_values("_row")
            for v in out["orders"]:
                print("" if pd.isna(v) else int(v))
            """;
        File.WriteAllText(folder.File("check.py"), script);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(folder.File("check.py"));
        psi.ArgumentList.Add(folder.File("data/user_stats.csv"));
        psi.ArgumentList.Add(folder.File("entities.csv"));
        using var python = Process.Start(psi)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        Assert.True(python.WaitForExit(60_000), "python did not finish");
        Assert.True(python.ExitCode == 0, await stderr);
        var theirs = (await stdout).Split('\n', StringSplitOptions.None).Take(ours.Length).ToArray();
        Assert.Equal(ours.Length, theirs.Length);
        var present = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.True((ours[i]?.ToString() ?? "") == theirs[i], $"row {i}: turbine {ours[i]} pandas {theirs[i]}");
            present += ours[i] is null ? 0 : 1;
        }

        // The data exercise both outcomes.
        Assert.InRange(present, 200, ours.Length - 200);
    }
}
