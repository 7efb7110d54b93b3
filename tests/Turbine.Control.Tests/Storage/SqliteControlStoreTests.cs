using Microsoft.Data.Sqlite;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Storage;

/// <summary>The control store suite on a SQLite file in a fresh temp folder.</summary>
public sealed class SqliteControlStoreTests : ControlStoreTests
{
    private readonly TempFolder _folder = new("turbine-control-store");

    private string DatabaseFile => _folder.File("control.db");

    public override Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private protected override SqlControlStore Open(ControlStoreOptions? options = null) => new SqliteControlStore(DatabaseFile, _time, options);

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_factory_picks_sqlite_without_a_connection_string_and_creates_the_folder()
    {
        var path = Path.Combine(_folder.Path, "nested", "control.db");
        foreach (var blank in new[] { null, "", "  " })
        {
            using var store = ControlStoreFactory.Open(blank, path, _time);
            var sqlite = Assert.IsType<SqliteControlStore>(store);
            Assert.Equal(Path.GetFullPath(path), sqlite.Path);
            Assert.Equal("sqlite:" + Path.GetFullPath(path), store.Description);
            await ApplyOk(store, "fraud");
        }

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task A_file_from_before_the_shared_sql_store_still_opens()
    {
        // The schema SqliteControlStore wrote before it became a dialect of SqlControlStore (INTEGER columns).
        string[] legacy =
        [
            "CREATE TABLE schema_version (version INTEGER NOT NULL)",
            "INSERT INTO schema_version (version) VALUES (1)",
            "CREATE TABLE deployments (name TEXT PRIMARY KEY, generation INTEGER NOT NULL, yaml TEXT NOT NULL, paused INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, deployment TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE TABLE replicas (deployment TEXT NOT NULL, replica_id TEXT NOT NULL, pid INTEGER NOT NULL, http_port INTEGER NOT NULL, grpc_port INTEGER NOT NULL, version TEXT NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (deployment, replica_id))",
            $"INSERT INTO deployments VALUES ('fraud', 3, '{Yaml("fraud", 4)}', 1, 1000, 2000)",
            "INSERT INTO events (deployment, kind, reason, message, at) VALUES ('fraud', 'Warning', 'Crashed', 'old', 1500)",
            "INSERT INTO replicas VALUES ('fraud', 'r1', 77, 8080, 9090, '2', 'Ready', 1800)",
        ];
        foreach (var statement in legacy)
        {
            await ExecuteSqlAsync(statement);
        }

        using var store = Open();
        var record = (await store.GetAsync("fraud")).Value!;
        Assert.Equal(3, record.Generation);
        Assert.True(record.Paused);
        Assert.Equal(4, record.Spec.Predictor.MaxReplicas);
        Assert.Equal(ControlEventKind.Warning, (await store.ListEventsAsync("fraud", 5)).Value![0].Kind);
        Assert.Equal(77, (await store.ListReplicasAsync("fraud")).Value![0].Pid);
        Assert.Equal(2, (await store.AppendEventAsync("fraud", ControlEventKind.Normal, "Adopted", "new")).Value!.Id);
    }
}
