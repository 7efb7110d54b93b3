using Npgsql;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Storage;

/// <summary>The control store suite on a real PostgreSQL server, one fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresControlStoreTests(PostgresFixture postgres) : ControlStoreTests
{
    private const string Secret = "hunter2-never-printed";

    private string _connectionString = "";

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("control");

    private protected override SqlControlStore Open(ControlStoreOptions? options = null) => new PostgresControlStore(_connectionString, _time, options);

    protected override async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_factory_picks_postgres_with_a_connection_string_and_leaves_the_sqlite_path_alone()
    {
        using var folder = new TempFolder("turbine-control-store");
        var path = folder.File("control.db");
        using var store = ControlStoreFactory.Open(_connectionString, path, _time);
        Assert.IsType<PostgresControlStore>(store);
        var builder = new NpgsqlConnectionStringBuilder(_connectionString);
        Assert.Equal($"postgresql://{builder.Host}:{builder.Port}/{builder.Database}", store.Description);
        await ApplyOk(store, "fraud");
        Assert.False(File.Exists(path));
        Assert.Equal(1, await ExecuteSqlAsync("UPDATE deployments SET paused = 0 WHERE name = 'fraud'"));
    }

    [Fact]
    public async Task The_password_is_never_in_the_description_or_in_errors()
    {
        var unreachable = $"Host=127.0.0.1;Port={Loopback.FreePort()};Database=control;Username=turbine;Password={Secret};Timeout=3";
        using var store = new PostgresControlStore(unreachable, _time);
        Assert.DoesNotContain(Secret, store.Description, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => store.GetAsync("fraud"));
        Assert.DoesNotContain(Secret, refused.ToString(), StringComparison.Ordinal);

        var invalid = Assert.Throws<ArgumentException>(() => new PostgresControlStore($"Host=127.0.0.1;Bogus=1;Password={Secret}"));
        Assert.Contains("connection string is not valid", invalid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, invalid.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PostgresControlStore(" "));
    }

    [Fact]
    public async Task A_password_in_the_connection_string_is_used_and_never_shown()
    {
        // The fixture's server trusts loopback, so a password is ignored there; a real role check needs md5/scram.
        // What matters here: a store with a password in its string works and never shows it.
        var withPassword = new NpgsqlConnectionStringBuilder(_connectionString) { Password = Secret }.ConnectionString;
        using var store = new PostgresControlStore(withPassword, _time);
        await ApplyOk(store, "fraud");
        Assert.DoesNotContain(Secret, store.Description, StringComparison.Ordinal);
        var missing = await store.GetAsync("ghost");
        Assert.DoesNotContain(Secret, missing.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_append_waits_for_a_concurrent_delete_and_then_finds_no_deployment()
    {
        using var store = Open();
        await ApplyOk(store, "fraud");
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;

        // Another writer (a second controller) holds the deployment row, about to delete it.
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var delete = new NpgsqlCommand("DELETE FROM deployments WHERE name = 'fraud'", other, tx))
        {
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var append = store.AppendEventAsync("fraud", ControlEventKind.Normal, "Tick", "racing a delete");
        var upsert = store.UpsertReplicaAsync("fraud", "r1", 100, 8000, 9000, "1", "Ready");

        // Both writes must queue behind the row lock (seen in pg_locks as ungranted), not slip in before the delete commits.
        await Poll.UntilOrFailAsync(async () =>
            {
                if (append.IsCompleted || upsert.IsCompleted)
                {
                    return true;
                }

                await using var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
                await probe.OpenAsync();
                await using var count = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = @db", probe);
                count.Parameters.AddWithValue("db", database!);
                return (long)(await count.ExecuteScalarAsync())! >= 2;
            },
            TimeSpan.FromSeconds(20), () => "the append and upsert neither finished nor waited on a lock");
        Assert.False(append.IsCompleted, "the append did not wait for the deleting transaction");
        Assert.False(upsert.IsCompleted, "the upsert did not wait for the deleting transaction");

        await tx.CommitAsync();
        Assert.Equal(ControlErrorKind.NotFound, (await append).Error?.Kind);
        Assert.Equal(ControlErrorKind.NotFound, (await upsert).Error?.Kind);
        Assert.Equal(0, await ExecuteSqlAsync("DELETE FROM events"));
        Assert.Equal(0, await ExecuteSqlAsync("DELETE FROM replicas"));
    }
}
