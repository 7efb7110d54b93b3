using Microsoft.Data.Sqlite;

namespace Turbine.Registry.Tests;

/// <summary>The registry suite on SQLite (the default store) in a temp folder.</summary>
public sealed class SqliteRegistryServerTests : RegistryServerTests
{
    protected override Task<RegistryOptions> CreateOptionsAsync(string dataDirectory) =>
        Task.FromResult(new RegistryOptions { DataDirectory = dataDirectory });

    protected override async Task ExecuteSqlAsync(RegistryOptions options, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(options.DataDirectory, "registry.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
