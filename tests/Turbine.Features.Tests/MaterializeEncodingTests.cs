using Turbine.Features.Definitions;
using Turbine.Features.Historical;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Features.Values;

namespace Turbine.Features.Tests;

/// <summary>
/// The materializer's allocation-free encoders write exactly the bytes of the reference encoders (FeastCodec, built
/// on Google.Protobuf), and a source read through typed columns (nullable or not, Parquet or CSV) materializes the
/// same store as the boxed path would.
/// </summary>
public sealed class MaterializeEncodingTests
{
    [Fact]
    public void EncodedRows_EveryType_SameBytesAsFeastCodec()
    {
        object?[] values =
        [
            null, 0, -1, int.MaxValue, int.MinValue, 0L, -5L, long.MaxValue, long.MinValue, 0.0, -0.0, double.NaN, 1e300, 1.5f, float.NegativeInfinity,
            true, false, "", "héllo ✓", new byte[] { 0, 255, 7 }, new DateTime(2026, 1, 1, 10, 30, 15, 500, DateTimeKind.Utc), new DateTime(1960, 5, 1, 0, 0, 0, 1, DateTimeKind.Utc),
        ];
        var rows = new EncodedRows(values.Length);
        rows.StartRow([1, 2], 5, 6);
        foreach (var v in values)
        {
            rows.WriteBoxed(v);
        }

        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(FeastCodec.EncodeValue(values[i]).AsSpan().SequenceEqual(rows.Value(0, i)), $"value {i}: {values[i]}");
        }

        Assert.Equal(5, rows.EventTicks(0));
        rows.StartRow([3], 0, 0);
        Assert.Throws<InvalidOperationException>(() => rows.StartRow([4], 0, 0)); // row 1 has no values yet
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EntityKeyWriter_CompoundKeys_SameBytesAsSerializeEntityKey(int version)
    {
        EntityDefinition[] keys = [new("user", "user_id", FeatureType.Int64, null), new("merchant", "merchant_id", FeatureType.String, null), new("shard", "a_shard", FeatureType.Int32, null)];
        var writer = new EntityKeyWriter(keys, version);
        long[][] ints = [[1, -7, long.MaxValue], [0, 0, 0], [3, -2, int.MinValue]];
        string?[][] strings = [[null, null, null], ["m-coffee", "", "ünï"], [null, null, null]];
        for (var row = 0; row < 3; row++)
        {
            var expected = FeastCodec.SerializeEntityKey([("user_id", (object)ints[0][row]), ("merchant_id", strings[1][row]!), ("a_shard", (int)ints[2][row])], version);
            Assert.Equal(expected, writer.Write(row, ints, strings));
        }
    }

    [Fact]
    public void DecodeTimestamp_RoundTripsEncodeTimestamp()
    {
        foreach (var t in new[] { DateTime.UnixEpoch, new DateTime(2026, 1, 1, 10, 30, 15, DateTimeKind.Utc).AddTicks(1234567), new DateTime(1950, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(-3) })
        {
            Assert.Equal(t, FeastCodec.DecodeTimestamp(FeastCodec.EncodeTimestamp(t)));
        }
    }

    [Fact]
    public async Task Materialize_NullableAndPlainColumnsAndCsv_SameStore()
    {
        // The same rows as non-nullable Parquet columns, nullable Parquet columns and CSV text.
        var t0 = RepoBuilder.T0;
        const int n = 500;
        long[] users = [.. Enumerable.Range(0, n).Select(i => (long)(i % 37))];
        DateTime[] events = [.. Enumerable.Range(0, n).Select(i => t0.AddMinutes(i % 90))];
        double[] spend = [.. Enumerable.Range(0, n).Select(i => i * 0.25)];
        long[] orders = [.. Enumerable.Range(0, n).Select(i => (long)(i * 3))];
        string[] tier = [.. Enumerable.Range(0, n).Select(i => "t" + (i % 4))];
        using var folder = RepoBuilder.Create();
        var plain = folder.File("data/plain.parquet");
        var schema = new Parquet.Schema.ParquetSchema(
            new Parquet.Schema.DataField<long>("user_id"), new Parquet.Schema.DataField<DateTime>("event_timestamp"), new Parquet.Schema.DataField<DateTime>("created"),
            new Parquet.Schema.DataField<double>("spend"), new Parquet.Schema.DataField<long>("orders"), new Parquet.Schema.DataField<string>("tier"));
        await using (var stream = File.Create(plain))
        {
            await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
            using var rg = writer.CreateRowGroup();
            var fields = schema.GetDataFields();
            await rg.WriteAsync<long>(fields[0], users.AsMemory());
            await rg.WriteAsync<DateTime>(fields[1], events.AsMemory());
            await rg.WriteAsync<DateTime>(fields[2], events.AsMemory());
            await rg.WriteAsync<double>(fields[3], spend.AsMemory());
            await rg.WriteAsync<long>(fields[4], orders.AsMemory());
            await rg.WriteAsync(fields[5], tier, null);
        }

        await RepoBuilder.WriteSourceAsync(folder.File("data/user_stats.parquet"),
            Enumerable.Range(0, n).Select(i => (users[i], i % 90, i % 90, (double?)spend[i], orders[i], tier[i])));
        await File.WriteAllLinesAsync(folder.File("data/rows.csv"),
            ["user_id,event_timestamp,created,spend,orders,tier", .. Enumerable.Range(0, n).Select(i => FormattableString.Invariant($"{users[i]},{events[i]:O},{events[i]:O},{spend[i]},{orders[i]},{tier[i]}"))]);

        var dumps = new List<string[]>();
        foreach (var (path, type) in new[] { ("data/user_stats.parquet", "parquet"), ("data/plain.parquet", "parquet"), ("data/rows.csv", "csv") })
        {
            var yaml = RepoBuilder.Yaml.Replace("type: parquet\n    path: data/user_stats.parquet", $"type: {type}\n    path: {path}", StringComparison.Ordinal)
                .Replace("path: data/online.db", $"path: data/{type}-{Path.GetFileNameWithoutExtension(path)}.db", StringComparison.Ordinal);
            await File.WriteAllTextAsync(folder.File("feature_store.yaml"), yaml);
            var repo = FeatureRepoLoader.Load(folder.Path);
            await using var store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
            var result = (await new Materializer(repo, store).MaterializeAsync(t0, t0.AddMinutes(60)))[0];
            Assert.Equal(37, result.EntitiesWritten);
            var keys = Enumerable.Range(0, 38).Select(u => FeastCodec.SerializeEntityKey([("user_id", (object)(long)u)])).ToArray();
            dumps.Add([.. (await store.ReadAsync("user_stats", ["spend", "orders", "tier"], keys)).Select(r => r is null ? "none" : $"{r.EventTime:O} {string.Join("|", r.Values)}")]);
        }

        // user 5: rows 5, 42, 79, … whose event minute i % 90 is ≤ 60: the latest is row 412 (minute 52).
        Assert.Equal("2026-01-01T00:52:00.0000000Z 103|1236|t0", dumps[0][5]);
        Assert.Equal(dumps[0], dumps[1]);
        Assert.Equal(dumps[0], dumps[2]);
        Assert.Equal("none", dumps[0][37]);
    }

    [Fact]
    public async Task MaterializeAndHistorical_SeveralEqualRowGroups_ReusedArraysKeepEachGroupsValues()
    {
        // Three row groups of 100 rows in one file (their column arrays are reused from group to group): users
        // g*100+i, spend g*1000+i, null in group 1 at even rows (stale values from group 0 would show there).
        var t0 = RepoBuilder.T0;
        using var folder = RepoBuilder.Create();
        var schema = new Parquet.Schema.ParquetSchema(
            new Parquet.Schema.DataField<long>("user_id"), new Parquet.Schema.DataField<DateTime>("event_timestamp"), new Parquet.Schema.DataField<DateTime>("created"),
            new Parquet.Schema.DataField<double?>("spend"), new Parquet.Schema.DataField<long>("orders"), new Parquet.Schema.DataField<string>("tier"));
        await using (var stream = File.Create(folder.File("data/user_stats.parquet")))
        {
            await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
            var fields = schema.GetDataFields();
            for (var g = 0; g < 3; g++)
            {
                using var rg = writer.CreateRowGroup();
                var times = Enumerable.Repeat(t0.AddMinutes(10 + g), 100).ToArray();
                await rg.WriteAsync<long>(fields[0], Enumerable.Range(0, 100).Select(i => (long)((g * 100) + i)).ToArray().AsMemory());
                await rg.WriteAsync<DateTime>(fields[1], times.AsMemory());
                await rg.WriteAsync<DateTime>(fields[2], times.AsMemory());
                await rg.WriteAsync<double>(fields[3], Enumerable.Range(0, 100).Select(i => g == 1 && i % 2 == 0 ? null : (double?)((g * 1000) + i)).ToArray().AsMemory());
                await rg.WriteAsync<long>(fields[4], Enumerable.Range(0, 100).Select(i => (long)g).ToArray().AsMemory());
                await rg.WriteAsync(fields[5], Enumerable.Range(0, 100).Select(i => $"g{g}").ToArray(), null);
            }
        }

        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        var result = (await new Materializer(repo, store).MaterializeAsync(t0, t0.AddHours(1)))[0];
        Assert.Equal(300, result.EntitiesWritten);
        var keys = new long[] { 0, 99, 100, 101, 250 }.Select(u => FeastCodec.SerializeEntityKey([("user_id", (object)u)])).ToArray();
        var records = await store.ReadAsync("user_stats", ["spend", "tier"], keys);
        Assert.Equal(["0|g0", "99|g0", "|g1", "1001|g1", "2050|g2"], records.Select(r => $"{r!.Values[0]}|{r.Values[1]}"));

        await File.WriteAllTextAsync(folder.File("entities.csv"), "user_id,event_timestamp,amount\n0,2026-01-01T00:30:00Z,1\n100,2026-01-01T00:30:00Z,1\n101,2026-01-01T00:30:00Z,1\n250,2026-01-01T00:30:00Z,1\n");
        await HistoricalRetriever.RunAsync(repo, FeatureResolver.Resolve(repo, ["user_stats:spend", "user_stats:tier"]), folder.File("entities.csv"), folder.File("train.parquet"), false);
        var train = await RepoBuilder.ReadAllAsync(folder.File("train.parquet"));
        Assert.Equal([0.0, null, 1001.0, 2050.0], train["spend"].Select(v => (double?)v));
        Assert.Equal(["g0", "g1", "g1", "g2"], train["tier"].Select(v => (string?)v));
    }
}
