using Turbine.Batch.Storage;
using Turbine.Features.Definitions;
using Turbine.Features.Historical;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Features.Values;

namespace Turbine.Features.Tests;

/// <summary>
/// s3:// sources against a real S3-compatible server (s3rver on a loopback port, started and killed by PID): the same
/// results as the local files, clear errors naming the object or bucket, and no credentials in any message.
/// </summary>
public sealed class S3SourceTests : IAsyncLifetime
{
    private const string AccessKey = "S3RVER";
    private const string SecretKey = "S3RVER";

    private readonly TempFolder _folder = new("turbine-features-s3");
    private S3rverProcess _server = null!;
    private SourceStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _server = await S3rverProcess.StartAsync("features", _folder.File("s3"));
        _storage = new SourceStorage(_server.Endpoint, AccessKey, SecretKey);
    }

    public async Task DisposeAsync()
    {
        _storage.Dispose();
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private async Task UploadAsync(string local, string uri)
    {
        using var s3 = new S3BatchStore(_server.Endpoint, AccessKey, SecretKey);
        await s3.WriteAsync(uri, async s =>
        {
            await using var f = File.OpenRead(local);
            await f.CopyToAsync(s);
        }, CancellationToken.None);
    }

    private static string WithSource(string path, string type = "parquet") =>
        RepoBuilder.Yaml.Replace("type: parquet\n    path: data/user_stats.parquet", $"type: {type}\n    path: {path}", StringComparison.Ordinal);

    /// <summary>Every user's stored row of user_stats: event time and values.</summary>
    private static async Task<string[]> DumpAsync(IOnlineStore store, IEnumerable<long> users)
    {
        var keys = users.Select(u => FeastCodec.SerializeEntityKey([("user_id", (object)u)])).ToArray();
        var records = await store.ReadAsync("user_stats", ["spend", "orders", "tier"], keys);
        return records.Select(r => r is null ? "none" : $"{r.EventTime:O} {string.Join("|", r.Values)}").ToArray();
    }

    [Fact]
    public async Task Materialize_ParquetObject_EqualsLocalFile()
    {
        var rows = Enumerable.Range(0, 3000).Select(i => ((long)(i % 97), i % 700, i % 700 + (i % 3), (double?)(i * 0.5), (long)i, "t" + (i % 5))).ToArray();
        using var local = RepoBuilder.Create(rows: rows);
        await UploadAsync(local.File("data/user_stats.parquet"), "s3://features/offline/user_stats.parquet");
        using var remote = RepoBuilder.Create(WithSource("s3://features/offline/user_stats.parquet"), rows: [(1, 0, 0, 0, 0, "x")]);
        var localRepo = FeatureRepoLoader.Load(local.Path);
        var remoteRepo = FeatureRepoLoader.Load(remote.Path);
        Assert.Equal("s3://features/offline/user_stats.parquet", remoteRepo.Sources["user_stats_source"].Path);

        await using var localStore = new SqliteOnlineStore(localRepo.OnlineStore.Path!, localRepo.Project);
        await using var remoteStore = new SqliteOnlineStore(remoteRepo.OnlineStore.Path!, remoteRepo.Project);
        var expected = (await new Materializer(localRepo, localStore).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)))[0];
        var actual = (await new Materializer(remoteRepo, remoteStore, storage: _storage).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)))[0];

        Assert.Equal(3000, actual.RowsRead);
        Assert.Equal(expected.EntitiesWritten, actual.EntitiesWritten);
        var users = Enumerable.Range(0, 98).Select(i => (long)i).ToArray();
        var want = await DumpAsync(localStore, users);
        Assert.Equal(97, want.Count(w => w != "none"));
        Assert.Equal(want, await DumpAsync(remoteStore, users));
    }

    [Fact]
    public async Task MaterializeIncrementalAndHistorical_CsvPrefix_EqualLocalFolder()
    {
        using var local = RepoBuilder.Create(WithSource("data/csv", "csv"));
        Directory.CreateDirectory(local.File("data/csv"));
        await File.WriteAllTextAsync(local.File("data/csv/a.csv"), "user_id,event_timestamp,created,spend,orders,tier\n1,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z,10.5,1,a\n2,2026-01-01T10:30:00Z,2026-01-01T10:30:00Z,,2,b\n");
        await File.WriteAllTextAsync(local.File("data/csv/b.csv"), "user_id,event_timestamp,created,spend,orders,tier\n1,2026-01-01T11:00:00Z,2026-01-01T11:00:00Z,20.25,3,c\n3,2026-01-01T09:00:00Z,2026-01-01T09:00:00Z,7,4,d\n");
        await File.WriteAllTextAsync(local.File("entities.csv"), "user_id,event_timestamp,amount\n1,2026-01-01T10:15:00Z,5\n1,2026-01-01T11:30:00Z,6\n2,2026-01-01T12:00:00Z,7\n3,2026-01-01T10:00:00Z,8\n");
        await UploadAsync(local.File("data/csv/a.csv"), "s3://features/csv/a.csv");
        await UploadAsync(local.File("data/csv/b.csv"), "s3://features/csv/b.csv");
        await UploadAsync(local.File("entities.csv"), "s3://features/entities.csv");
        using var remote = RepoBuilder.Create(WithSource("s3://features/csv/", "csv"));
        var localRepo = FeatureRepoLoader.Load(local.Path);
        var remoteRepo = FeatureRepoLoader.Load(remote.Path);
        var end = RepoBuilder.T0.AddMinutes(750); // incremental from end - ttl (2h): [10:30, 12:30]

        await using var localStore = new SqliteOnlineStore(localRepo.OnlineStore.Path!, localRepo.Project);
        await using var remoteStore = new SqliteOnlineStore(remoteRepo.OnlineStore.Path!, remoteRepo.Project);
        await new Materializer(localRepo, localStore).MaterializeIncrementalAsync(end);
        var result = (await new Materializer(remoteRepo, remoteStore, storage: _storage).MaterializeIncrementalAsync(end))[0];

        Assert.Equal(4, result.RowsRead);
        var users = new long[] { 1, 2, 3, 4 };
        var want = await DumpAsync(localStore, users);
        Assert.Equal(["2026-01-01T11:00:00.0000000Z 20.25|3|c", "2026-01-01T10:30:00.0000000Z |2|b", "none", "none"], want); // user 1 at 10:00 and user 3 are before the window
        Assert.Equal(want, await DumpAsync(remoteStore, users));

        // get-historical: entity dataframe and source both from S3, the training set written to S3.
        var plan = FeatureResolver.Resolve(remoteRepo, ["user_stats:spend", "user_stats:orders", "derived:amount_ratio"]);
        await HistoricalRetriever.RunAsync(FeatureRepoLoader.Load(local.Path), plan, local.File("entities.csv"), local.File("train.parquet"), false);
        await HistoricalRetriever.RunAsync(remoteRepo, plan, "s3://features/entities.csv", "s3://features/out/train.parquet", false, storage: _storage);
        using var s3 = new S3BatchStore(_server.Endpoint, AccessKey, SecretKey);
        await using (var download = File.Create(_folder.File("train-s3.parquet")))
        {
            await s3.CopyToAsync("s3://features/out/train.parquet", download, CancellationToken.None);
        }

        var expected = await RepoBuilder.ReadAllAsync(local.File("train.parquet"));
        var actual = await RepoBuilder.ReadAllAsync(_folder.File("train-s3.parquet"));
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.Equal([10.5, 20.25, null, 7.0], expected["spend"].Select(v => (double?)v));
        foreach (var column in expected.Keys)
        {
            Assert.Equal(expected[column], actual[column]);
        }
    }

    [Fact]
    public async Task Materialize_MissingObjectOrBucket_ErrorNamesIt()
    {
        using var missingKey = RepoBuilder.Create(WithSource("s3://features/nowhere/user_stats.parquet"));
        var repo = FeatureRepoLoader.Load(missingKey.Path);
        await using var store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        var e = await Assert.ThrowsAsync<FeatureRepoException>(() => new Materializer(repo, store, storage: _storage).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)));
        Assert.Contains("s3://features/nowhere/user_stats.parquet: does not exist", e.Message, StringComparison.Ordinal);

        using var missingBucket = RepoBuilder.Create(WithSource("s3://no-such-bucket/offline/"));
        repo = FeatureRepoLoader.Load(missingBucket.Path);
        e = await Assert.ThrowsAsync<FeatureRepoException>(() => new Materializer(repo, store, storage: _storage).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)));
        Assert.Contains("s3://no-such-bucket/offline/: does not exist (no such bucket or key) [NoSuchBucket]", e.Message, StringComparison.Ordinal);

        using var emptyPrefix = RepoBuilder.Create(WithSource("s3://features/empty"));
        repo = FeatureRepoLoader.Load(emptyPrefix.Path);
        e = await Assert.ThrowsAsync<FeatureRepoException>(() => new Materializer(repo, store, storage: _storage).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)));
        Assert.Contains("no .parquet objects under s3://features/empty/", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Materialize_WrongCredentials_ErrorNeverShowsThem()
    {
        const string secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzzSECRET";
        const string key = "AKIAZZTURBINEKEY";
        using var local = RepoBuilder.Create();
        await UploadAsync(local.File("data/user_stats.parquet"), "s3://features/creds/user_stats.parquet");
        using var remote = RepoBuilder.Create(WithSource("s3://features/creds/user_stats.parquet"));
        var repo = FeatureRepoLoader.Load(remote.Path);
        await using var store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        using var wrong = new SourceStorage(_server.Endpoint, key, secret);

        var e = await Assert.ThrowsAsync<FeatureRepoException>(() => new Materializer(repo, store, storage: wrong).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1)));

        Assert.Contains("s3://features/creds/user_stats.parquet: access denied", e.Message, StringComparison.Ordinal);
        var everything = e.ToString();
        Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_S3PathWithDotDotOrBadEndpoint_Refused()
    {
        using var dots = RepoBuilder.Create(WithSource("s3://features/a/../b.parquet"));
        var e = Assert.Throws<FeatureRepoException>(() => FeatureRepoLoader.Load(dots.Path));
        Assert.Contains("'.'/'..' in the key", e.Message, StringComparison.Ordinal);

        using var endpoint = RepoBuilder.Create(WithSource("s3://features/a.parquet").Replace("timestamp_field: event_timestamp", "timestamp_field: event_timestamp\n    s3_endpoint_override: file:///etc", StringComparison.Ordinal));
        e = Assert.Throws<FeatureRepoException>(() => FeatureRepoLoader.Load(endpoint.Path));
        Assert.Contains("s3_endpoint_override 'file:///etc': expected an http(s) URL", e.Message, StringComparison.Ordinal);
    }
}
