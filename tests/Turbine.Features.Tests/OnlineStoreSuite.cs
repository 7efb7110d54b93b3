using Turbine.Features.Definitions;
using Turbine.Features.Historical;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;
using Turbine.Features.Sources;

namespace Turbine.Features.Tests;

/// <summary>The same tests for every online store: SQLite (embedded) and Redis (Feast layout).</summary>
public abstract class OnlineStoreSuite
{
    protected abstract Task<IOnlineStore> OpenAsync(FeatureRepo repo);

    private static DateTime At(int minutes) => RepoBuilder.T0.AddMinutes(minutes);

    private static Dictionary<string, IReadOnlyList<object?>> Entities(params long[] users) => new() { ["user_id"] = users.Cast<object?>().ToArray() };

    [Fact]
    public async Task Materialize_ThenGetOnline_StatusesAndValues()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = await OpenAsync(repo);
        var results = await new Materializer(repo, store).MaterializeAsync(At(0), At(720));
        Assert.Equal(6, results[0].RowsInWindow);
        Assert.Equal(3, results[0].EntitiesWritten);

        var clock = new FixedTime(At(700));
        var service = new OnlineFeatureService(repo, store, clock);
        var result = await service.GetAsync(["user_stats:spend", "user_stats:tier"], null, Entities(1, 2, 3, 99), fullFeatureNames: false);
        Assert.Equal(["user_id", "spend", "tier"], result.FeatureNames);
        var spend = result.Columns[1];
        Assert.Equal([21.0, null, null, null], spend.Values);
        Assert.Equal([FeatureStatus.Present, FeatureStatus.NullValue, FeatureStatus.OutsideMaxAge, FeatureStatus.NotFound], spend.Statuses);
        Assert.Equal(At(660), spend.EventTimestamps[0]);
        Assert.Equal("c", result.Columns[2].Values[0]);

        // Full feature names and a feature service with an on-demand feature computed from request data.
        var full = await service.GetAsync(null, "fraud_v1", new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = [1L, 99L], ["amount"] = [44.0, 44.0] }, fullFeatureNames: true);
        Assert.Equal(["user_id", "user_stats__spend", "user_stats__orders", "user_stats__tier", "derived__amount_ratio"], full.FeatureNames);
        Assert.Equal([2.0, 44.0], full.Columns[4].Values);
    }

    [Fact]
    public async Task GetOnline_BadRequests_NameTheProblem()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = await OpenAsync(repo);
        var service = new OnlineFeatureService(repo, store);
        var e1 = await Assert.ThrowsAsync<FeatureRepoException>(() => service.GetAsync(["user_stats:nope"], null, Entities(1), false));
        Assert.Contains("unknown feature 'user_stats:nope'", e1.Message, StringComparison.Ordinal);
        var e2 = await Assert.ThrowsAsync<FeatureRepoException>(() => service.GetAsync(["user_stats:spend"], null, new Dictionary<string, IReadOnlyList<object?>> { ["driver_id"] = [1L] }, false));
        Assert.Contains("unknown entity 'driver_id'", e2.Message, StringComparison.Ordinal);
        var e3 = await Assert.ThrowsAsync<FeatureRepoException>(() => service.GetAsync(null, "fraud_v1", Entities(1), false));
        Assert.Contains("missing entity 'amount'", e3.Message, StringComparison.Ordinal);
        var e4 = await Assert.ThrowsAsync<FeatureRepoException>(() => service.GetAsync(["user_stats"], null, new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = ["abc"] }, false));
        Assert.Contains("'abc' is not a valid int64", e4.Message, StringComparison.Ordinal);
        var e5 = await Assert.ThrowsAsync<FeatureRepoException>(() => service.GetAsync(null, "nope", Entities(1), false));
        Assert.Contains("unknown feature service 'nope'", e5.Message, StringComparison.Ordinal);
    }

    /// <summary>The skew check: for entities at time T, the training row equals the online vector served at T after materializing up to T.</summary>
    [Fact]
    public async Task TrainingRowAtT_EqualsOnlineVectorAtT()
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 400).Select(i =>
        {
            var e = random.Next(0, 1000);
            return ((long)random.Next(1, 40), e, e + random.Next(0, 3), random.Next(0, 10) == 0 ? (double?)null : i * 1.25, (long)i, "t" + i);
        }).ToArray();
        using var folder = RepoBuilder.Create(rows: rows);
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = await OpenAsync(repo);
        var t = At(900);
        await new Materializer(repo, store).MaterializeAsync(DateTime.UnixEpoch, t);

        var users = Enumerable.Range(1, 45).Select(u => (long)u).ToArray();
        var entityPath = folder.File("entities.parquet");
        await ParquetTable.WriteAsync(entityPath,
        [
            new TableColumn("user_id", FeatureType.Int64, users.Cast<object?>().ToArray()),
            new TableColumn("event_timestamp", FeatureType.UnixTimestamp, users.Select(_ => (object?)t).ToArray()),
            new TableColumn("amount", FeatureType.Float64, users.Select(u => (object?)(u * 3.0)).ToArray()),
        ]);
        var plan = FeatureResolver.ResolveService(repo, "fraud_v1");
        await HistoricalRetriever.RunAsync(repo, plan, entityPath, folder.File("train.parquet"), fullFeatureNames: false);
        var training = await RepoBuilder.ReadAllAsync(folder.File("train.parquet"));

        var online = await new OnlineFeatureService(repo, store, new FixedTime(t)).GetAsync(plan,
            new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = users.Cast<object?>().ToArray(), ["amount"] = users.Select(u => (object?)(u * 3.0)).ToArray() }, false);
        var compared = 0;
        foreach (var column in online.Columns.Skip(1))
        {
            for (var r = 0; r < users.Length; r++)
            {
                Assert.True(Equals(training[column.Name][r], column.Values[r]), $"user {users[r]} {column.Name}: training {training[column.Name][r]} online {column.Values[r]}");
                compared += column.Values[r] is null ? 0 : 1;
            }
        }

        Assert.True(compared > 50, $"only {compared} non-null values compared");
    }

    [Fact]
    public async Task Materialize_MalformedRowGroup_StopsNamingItAndResumes()
    {
        using var folder = RepoBuilder.Create(RepoBuilder.Yaml.Replace("path: data/user_stats.parquet", "path: data/parts", StringComparison.Ordinal));
        Directory.CreateDirectory(folder.File("data/parts"));
        await RepoBuilder.WriteSourceAsync(folder.File("data/parts/a.parquet"), [(1, 600, 600, 1.0, 1, "a")]);
        await RepoBuilder.WriteSourceAsync(folder.File("data/parts/b.parquet"), [(2, 600, 600, 2.0, 2, "b")]);
        // c.parquet: 'orders' is a string column with a value that is no int64.
        await ParquetTable.WriteAsync(folder.File("data/parts/c.parquet"),
        [
            new TableColumn("user_id", FeatureType.Int64, [3L]),
            new TableColumn("event_timestamp", FeatureType.UnixTimestamp, [At(600)]),
            new TableColumn("created", FeatureType.UnixTimestamp, [At(600)]),
            new TableColumn("spend", FeatureType.Float64, [3.0]),
            new TableColumn("orders", FeatureType.String, ["three"]),
            new TableColumn("tier", FeatureType.String, ["c"]),
        ]);
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = await OpenAsync(repo);
        var materializer = new Materializer(repo, store);
        var e = await Assert.ThrowsAsync<FeatureRepoException>(() => materializer.MaterializeAsync(At(0), At(700)));
        Assert.Contains("c.parquet: row group 0, column 'orders', row 0: 'three' is not a valid int64", e.Message, StringComparison.Ordinal);

        // What was written before is whole and served.
        var service = new OnlineFeatureService(repo, store, new FixedTime(At(650)));
        var partial = await service.GetAsync(["user_stats:orders"], null, Entities(1, 2, 3), false);
        Assert.Equal([1L, 2L, null], partial.Columns[1].Values);

        // Fixed, the same window resumes after the last row group written.
        await RepoBuilder.WriteSourceAsync(folder.File("data/parts/c.parquet"), [(3, 600, 600, 3.0, 3, "c")]);
        var resumed = await materializer.MaterializeAsync(At(0), At(700));
        Assert.Equal(2, resumed[0].RowGroupsSkipped);
        Assert.Equal(1, resumed[0].RowsRead);
        var all = await service.GetAsync(["user_stats:orders"], null, Entities(1, 2, 3), false);
        Assert.Equal([1L, 2L, 3L], all.Columns[1].Values);
    }

    [Fact]
    public async Task MaterializeIncremental_PicksUpFromLastEnd()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = await OpenAsync(repo);
        var materializer = new Materializer(repo, store);
        var first = await materializer.MaterializeIncrementalAsync(At(620));
        Assert.Equal(At(620) - TimeSpan.FromHours(2), first[0].Start);
        var second = await materializer.MaterializeIncrementalAsync(At(720));
        Assert.Equal(At(620), second[0].Start);
        var online = await new OnlineFeatureService(repo, store, new FixedTime(At(720))).GetAsync(["user_stats:tier"], null, Entities(1), false);
        Assert.Equal("c", online.Columns[1].Values[0]);
    }
}

public sealed class SqliteOnlineStoreTests : OnlineStoreSuite
{
    protected override Task<IOnlineStore> OpenAsync(FeatureRepo repo) => Task.FromResult<IOnlineStore>(new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project));
}

public sealed class RedisOnlineStoreTests(RedisServer redis) : OnlineStoreSuite, IClassFixture<RedisServer>
{
    protected override async Task<IOnlineStore> OpenAsync(FeatureRepo repo) =>
        await RedisOnlineStore.ConnectAsync(redis.ConnectionString, repo.Project + Guid.NewGuid().ToString("N"));
}
