using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Storage;

/// <summary>
/// The control store suite, run against every database by a subclass: <see cref="SqliteControlStoreTests"/> (a temp
/// file) and <see cref="PostgresControlStoreTests"/> (a real PostgreSQL server, one fresh database per test).
/// </summary>
public abstract class ControlStoreTests : IAsyncLifetime
{
    private protected readonly FakeTime _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A new store instance on this test's database (every call reaches the same data).</summary>
    /// <param name="options">Bounds; the defaults when null.</param>
    private protected abstract SqlControlStore Open(ControlStoreOptions? options = null);

    /// <summary>Runs <paramref name="sql"/> on this test's database behind the store's back; returns the rows affected.</summary>
    /// <param name="sql">The statement.</param>
    protected abstract Task<int> ExecuteSqlAsync(string sql);

    private protected sealed class FakeTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private protected static string Yaml(string name, int maxReplicas = 2) => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
        spec:
          predictor:
            maxReplicas: {maxReplicas}
            model:
              modelFormat:
                name: onnx
              storageUri: registry://{name}@production
        """;

    private protected static DeploymentSpec Spec(string yaml)
    {
        var parsed = InferenceServiceParser.Parse(yaml, "test.yaml");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
        return parsed.Spec!;
    }

        private protected static async Task<DeploymentRecord> ApplyOk(SqlControlStore store, string name, int maxReplicas = 2)
    {
        var yaml = Yaml(name, maxReplicas);
        var result = await store.ApplyAsync(name, yaml, Spec(yaml));
        Assert.True(result.IsOk, result.Error?.Message);
        return result.Value!;
    }

    [Fact]
    public async Task Apply_then_get_returns_the_yaml_the_reparsed_spec_and_fake_timestamps()
    {
        using var store = Open();
        var applied = await ApplyOk(store, "fraud", maxReplicas: 3);
        Assert.Equal(1, applied.Generation);
        Assert.False(applied.Paused);
        Assert.Equal(_time.Now, applied.CreatedAt);
        Assert.Equal(_time.Now, applied.UpdatedAt);

        var got = await store.GetAsync("fraud");
        Assert.True(got.IsOk, got.Error?.Message);
        Assert.Equal(Yaml("fraud", 3), got.Value!.Yaml);
        Assert.Equal("fraud", got.Value.Spec.Name);
        Assert.Equal(3, got.Value.Spec.Predictor.MaxReplicas);
        Assert.Equal(_time.Now, got.Value.CreatedAt);
    }

    [Fact]
    public async Task Generation_bumps_only_when_the_yaml_changes()
    {
        using var store = Open();
        var created = _time.Now;
        await ApplyOk(store, "fraud", 2);

        _time.Now = created.AddMinutes(1);
        var same = await ApplyOk(store, "fraud", 2);
        Assert.Equal(1, same.Generation);
        Assert.Equal(created, same.UpdatedAt);

        _time.Now = created.AddMinutes(2);
        var changed = await ApplyOk(store, "fraud", 5);
        Assert.Equal(2, changed.Generation);
        Assert.Equal(created, changed.CreatedAt);
        Assert.Equal(created.AddMinutes(2), changed.UpdatedAt);

        var again = await ApplyOk(store, "fraud", 5);
        Assert.Equal(2, again.Generation);
        Assert.Equal(2, (await store.GetAsync("fraud")).Value!.Generation);
    }

    [Fact]
    public async Task List_and_delete()
    {
        using var store = Open();
        await ApplyOk(store, "b-model");
        await ApplyOk(store, "a-model");

        var all = await store.ListAsync();
        Assert.Equal(["a-model", "b-model"], all.Select(r => r.Value!.Name));

        Assert.True(await store.DeleteAsync("a-model"));
        Assert.False(await store.DeleteAsync("a-model"));
        Assert.False(await store.DeleteAsync("never-there"));
        var missing = await store.GetAsync("a-model");
        Assert.Equal(ControlErrorKind.NotFound, missing.Error!.Kind);
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task Apply_refuses_a_spec_with_another_name()
    {
        using var store = Open();
        var yaml = Yaml("other");
        var result = await store.ApplyAsync("fraud", yaml, Spec(yaml));
        Assert.Equal(ControlErrorKind.Invalid, result.Error!.Kind);
        Assert.Empty(await store.ListAsync());
    }

    [Theory]
    [InlineData("x'; DROP TABLE deployments; --")]
    [InlineData("a\"b")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("trail-")]
    [InlineData("")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Names_that_are_not_dns_labels_are_refused_before_any_sql(string name)
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        var yaml = Yaml("fraud");
        Assert.Equal(ControlErrorKind.Invalid, (await store.ApplyAsync(name, yaml, Spec(yaml))).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.GetAsync(name)).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.AppendEventAsync(name, ControlEventKind.Normal, "R", "m")).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.SetPausedAsync(name, true)).Error!.Kind);
        Assert.False(await store.DeleteAsync(name));
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task A_63_character_name_is_accepted()
    {
        using var store = Open();
        var name = new string('a', 63);
        Assert.Equal(name, (await ApplyOk(store, name)).Name);
    }

    [Fact]
    public async Task Events_are_newest_first_and_bounded_per_deployment()
    {
        const int keep = 20;
        using var store = Open(new ControlStoreOptions { MaxEventsPerDeployment = keep });
        await ApplyOk(store, "fraud");
        await ApplyOk(store, "other");
        await store.AppendEventAsync("other", ControlEventKind.Normal, "Kept", "untouched by fraud's bound");
        for (var i = 0; i < keep + 10; i++)
        {
            _time.Now = _time.Now.AddSeconds(1);
            var appended = await store.AppendEventAsync("fraud", i % 2 == 0 ? ControlEventKind.Normal : ControlEventKind.Warning, "Scaled", $"event {i}");
            Assert.True(appended.IsOk, appended.Error?.Message);
        }

        var events = (await store.ListEventsAsync("fraud", 1000)).Value!;
        Assert.Equal(keep, events.Count);
        Assert.Equal("event 29", events[0].Message);
        Assert.Equal(ControlEventKind.Warning, events[0].Kind);
        Assert.Equal(_time.Now, events[0].At);
        Assert.Equal("event 10", events[^1].Message);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Id > p.Second.Id));

        var two = (await store.ListEventsAsync("fraud", 2)).Value!;
        Assert.Equal(["event 29", "event 28"], two.Select(e => e.Message));
        Assert.Single((await store.ListEventsAsync("other", 10)).Value!);
    }

    [Fact]
    public async Task Event_messages_are_truncated_and_limits_checked()
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        var appended = await store.AppendEventAsync("fraud", ControlEventKind.Warning, "Crashed", new string('x', 10_000));
        Assert.Equal(4096, appended.Value!.Message.Length);
        Assert.Equal(4096, (await store.ListEventsAsync("fraud", 1)).Value![0].Message.Length);

        Assert.Equal(ControlErrorKind.Invalid, (await store.ListEventsAsync("fraud", 0)).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.ListEventsAsync("fraud", 1001)).Error!.Kind);
        Assert.Equal(ControlErrorKind.NotFound, (await store.AppendEventAsync("ghost", ControlEventKind.Normal, "R", "m")).Error!.Kind);
    }

    [Fact]
    public async Task Paused_flag_is_stored()
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        var paused = await store.SetPausedAsync("fraud", true);
        Assert.True(paused.Value!.Paused);
        Assert.True((await store.GetAsync("fraud")).Value!.Paused);
        Assert.Equal(1, (await ApplyOk(store, "fraud", 4)).Generation - 1);
        Assert.True((await store.GetAsync("fraud")).Value!.Paused);
        Assert.False((await store.SetPausedAsync("fraud", false)).Value!.Paused);
        Assert.False((await store.GetAsync("fraud")).Value!.Paused);
        Assert.Equal(ControlErrorKind.NotFound, (await store.SetPausedAsync("ghost", true)).Error!.Kind);
    }

    [Fact]
    public async Task Replicas_upsert_list_delete()
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        Assert.True((await store.UpsertReplicaAsync("fraud", "r1", 100, 8001, 9001, "3", "Starting")).IsOk);
        Assert.True((await store.UpsertReplicaAsync("fraud", "r2", 200, 8002, 9002, "3", "Ready")).IsOk);
        _time.Now = _time.Now.AddSeconds(5);
        Assert.True((await store.UpsertReplicaAsync("fraud", "r1", 101, 8003, 9003, "4", "Ready")).IsOk);

        var replicas = (await store.ListReplicasAsync("fraud")).Value!;
        Assert.Equal(2, replicas.Count);
        Assert.Equal(new ReplicaRecord("fraud", "r1", 101, 8003, 9003, "4", "Ready", _time.Now), replicas[0]);
        Assert.Equal("r2", replicas[1].ReplicaId);

        Assert.True(await store.DeleteReplicaAsync("fraud", "r2"));
        Assert.False(await store.DeleteReplicaAsync("fraud", "r2"));
        Assert.Single((await store.ListReplicasAsync("fraud")).Value!);
        Assert.Equal(ControlErrorKind.NotFound, (await store.UpsertReplicaAsync("ghost", "r1", 1, 1, 1, "1", "Ready")).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.UpsertReplicaAsync("fraud", "r1", 0, 1, 1, "1", "Ready")).Error!.Kind);

        Assert.True(await store.DeleteAsync("fraud"));
        Assert.Empty((await store.ListReplicasAsync("fraud")).Value!);
    }

    [Fact]
    public async Task Everything_survives_reopening_the_store()
    {
        using (var store = Open())
        {
            await ApplyOk(store, "fraud", 3);
            await ApplyOk(store, "fraud", 4);
            await store.SetPausedAsync("fraud", true);
            await store.AppendEventAsync("fraud", ControlEventKind.Normal, "Applied", "generation 2");
            await store.UpsertReplicaAsync("fraud", "r1", 4242, 8080, 9090, "7", "Ready");
        }

        using (var reopened = Open())
        {
            var record = (await reopened.GetAsync("fraud")).Value!;
            Assert.Equal(2, record.Generation);
            Assert.True(record.Paused);
            Assert.Equal(4, record.Spec.Predictor.MaxReplicas);
            Assert.Equal("generation 2", (await reopened.ListEventsAsync("fraud", 10)).Value![0].Message);
            Assert.Equal(4242, (await reopened.ListReplicasAsync("fraud")).Value![0].Pid);
            Assert.Equal(3, (await ApplyOk(reopened, "fraud", 5)).Generation);
        }
    }

    [Fact]
    public async Task A_stored_row_that_no_longer_parses_is_an_error_value()
    {
        using (var store = Open())
        {
            await ApplyOk(store, "fraud");
            await ApplyOk(store, "good");
        }

        Assert.Equal(1, await ExecuteSqlAsync("UPDATE deployments SET yaml = 'kind: [' WHERE name = 'fraud'"));

        using var reopened = Open();
        var got = await reopened.GetAsync("fraud");
        Assert.Equal(ControlErrorKind.Corrupt, got.Error!.Kind);
        var all = await reopened.ListAsync();
        Assert.Equal(2, all.Count);
        Assert.False(all[0].IsOk);
        Assert.Equal("good", all[1].Value!.Name);
    }

    [Fact]
    public async Task Concurrent_writes_from_two_store_instances_all_land()
    {
        using var first = Open();
        using var second = Open();
        await ApplyOk(first, "fraud");
        var appends = Enumerable.Range(0, 40)
            .Select(i => (i % 2 == 0 ? first : second).AppendEventAsync("fraud", ControlEventKind.Normal, "Tick", $"event {i}"))
            .ToArray();
        var applies = Enumerable.Range(0, 10).Select(i => Task.Run(() => ApplyOk(i % 2 == 0 ? first : second, "fraud", 10 + i))).ToArray();
        var results = await Task.WhenAll(appends);
        await Task.WhenAll(applies);

        Assert.All(results, r => Assert.True(r.IsOk, r.Error?.Message));
        Assert.Equal(40, (await first.ListEventsAsync("fraud", 1000)).Value!.Count);
        Assert.Equal(11, (await second.GetAsync("fraud")).Value!.Generation);
    }

    [Fact]
    public async Task A_database_from_a_newer_schema_is_refused()
    {
        using (var store = Open())
        {
            await ApplyOk(store, "fraud");
        }

        Assert.Equal(1, await ExecuteSqlAsync("INSERT INTO schema_version (version) VALUES (99)"));

        using var reopened = Open();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => reopened.GetAsync("fraud"));
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_needs_a_reason()
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        Assert.Equal(ControlErrorKind.Invalid, (await store.AppendEventAsync("fraud", ControlEventKind.Normal, " ", "m")).Error!.Kind);
        Assert.Equal(ControlErrorKind.Invalid, (await store.AppendEventAsync("fraud", (ControlEventKind)7, "R", "m")).Error!.Kind);
        Assert.Empty((await store.ListEventsAsync("fraud", 10)).Value!);
    }

    [Fact]
    public async Task Concurrent_first_applies_of_a_new_deployment_from_two_stores_all_land()
    {
        using var first = Open();
        using var second = Open();
        await first.ListAsync();
        await second.ListAsync();
        var applies = Enumerable.Range(0, 10).Select(i => Task.Run(() => ApplyOk(i % 2 == 0 ? first : second, "fresh", 10 + i))).ToArray();
        var applied = await Task.WhenAll(applies);

        // Every apply changed the YAML, so each one is exactly one generation: none lost, none failed on the insert race.
        Assert.Equal(Enumerable.Range(1, 10), applied.Select(r => (int)r.Generation).Order());
        Assert.Equal(10, (await first.GetAsync("fresh")).Value!.Generation);
        Assert.Single(await second.ListAsync());
    }

    [Fact]
    public async Task Concurrent_appends_from_two_stores_keep_the_bound_exactly()
    {
        const int keep = 10;
        using var first = Open(new ControlStoreOptions { MaxEventsPerDeployment = keep });
        using var second = Open(new ControlStoreOptions { MaxEventsPerDeployment = keep });
        await ApplyOk(first, "fraud");
        var appends = Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).AppendEventAsync("fraud", ControlEventKind.Normal, "Tick", $"event {i}")))
            .ToArray();
        var results = await Task.WhenAll(appends);

        Assert.All(results, r => Assert.True(r.IsOk, r.Error?.Message));
        var kept = (await first.ListEventsAsync("fraud", 1000)).Value!;
        Assert.Equal(keep, kept.Count);
        Assert.Equal(results.Select(r => r.Value!.Id).OrderDescending().Take(keep), kept.Select(e => e.Id));
    }

    [Fact]
    public async Task Stores_opening_a_fresh_database_at_once_all_create_or_find_the_schema()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Open()).ToArray();
        try
        {
            var lists = await Task.WhenAll(stores.Select(s => Task.Run(() => s.ListAsync())));
            Assert.All(lists, Assert.Empty);
            Assert.Equal(1, (await ApplyOk(stores[3], "fraud")).Generation);
            Assert.Equal(1, await ExecuteSqlAsync("UPDATE schema_version SET version = 1"));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_disposed_store_refuses_calls()
    {
        var store = Open();
        await ApplyOk(store, "fraud");
        store.Dispose();
        store.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("fraud"));
    }

    [Fact]
    public async Task A_delete_racing_appends_and_upserts_leaves_no_orphan_rows()
    {
        using var first = Open();
        using var second = Open();
        await ApplyOk(first, "fraud");
        var appends = Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).AppendEventAsync("fraud", ControlEventKind.Normal, "Tick", $"event {i}")))
            .ToArray();
        var upserts = Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => (i % 2 == 0 ? second : first).UpsertReplicaAsync("fraud", $"r{i}", 100 + i, 8000 + i, 9000 + i, "1", "Ready")))
            .ToArray();
        var deleted = Task.Run(() => second.DeleteAsync("fraud"));
        Assert.True(await deleted);
        var appended = await Task.WhenAll(appends);
        var upserted = await Task.WhenAll(upserts);

        // Every write either landed before the delete (and was deleted with it) or found no deployment.
        Assert.All(appended, r => Assert.True(r.IsOk || r.Error!.Kind == ControlErrorKind.NotFound, r.Error?.Message));
        Assert.All(upserted, r => Assert.True(r.IsOk || r.Error!.Kind == ControlErrorKind.NotFound, r.Error?.Message));
        Assert.Equal(0, await ExecuteSqlAsync("DELETE FROM events WHERE deployment = 'fraud'"));
        Assert.Equal(0, await ExecuteSqlAsync("DELETE FROM replicas WHERE deployment = 'fraud'"));
    }
}
