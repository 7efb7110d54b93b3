using Npgsql;
using Turbine.Registry.Tests.Storage;

namespace Turbine.Registry.Tests;

/// <summary>The registry suite on a real PostgreSQL server, one fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRegistryServerTests(PostgresFixture postgres) : RegistryServerTests
{
    protected override async Task<RegistryOptions> CreateOptionsAsync(string dataDirectory) =>
        new() { DataDirectory = dataDirectory, Database = await postgres.CreateDatabaseAsync("registry") };

    protected override async Task ExecuteSqlAsync(RegistryOptions options, string sql)
    {
        await using var connection = new NpgsqlConnection(options.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
