namespace Turbine.Control.Storage;

/// <summary>Chooses the control store for the host: PostgreSQL when a connection string is configured, else SQLite.</summary>
public static class ControlStoreFactory
{
    /// <summary>
    /// A <see cref="PostgresControlStore"/> when <paramref name="postgresConnectionString"/> is set (not blank), else a
    /// <see cref="SqliteControlStore"/> on <paramref name="sqlitePath"/>. Nothing is opened yet: the schema is created
    /// (or a newer one refused) on the first call.
    /// </summary>
    /// <param name="postgresConnectionString">An Npgsql connection string, or null/blank for SQLite.</param>
    /// <param name="sqlitePath">The SQLite file used when no connection string is given.</param>
    /// <param name="time">The clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Bounds; the defaults when null.</param>
    /// <returns>The store; the caller disposes it.</returns>
    public static SqlControlStore Open(string? postgresConnectionString, string sqlitePath, TimeProvider? time = null, ControlStoreOptions? options = null) =>
        string.IsNullOrWhiteSpace(postgresConnectionString)
            ? new SqliteControlStore(sqlitePath, time, options)
            : new PostgresControlStore(postgresConnectionString, time, options);
}
