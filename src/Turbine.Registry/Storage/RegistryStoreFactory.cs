namespace Turbine.Registry.Storage;

/// <summary>Chooses the metadata store: PostgreSQL when a connection string is given, else SQLite under the data folder.</summary>
internal static class RegistryStoreFactory
{
    public const string SqliteFileName = "registry.db";

    public static IRegistryStore Create(string dataDirectory, string? database, TimeProvider time) =>
        new SqlRegistryStore(
            string.IsNullOrWhiteSpace(database)
                ? new SqliteDialect(Path.Combine(dataDirectory, SqliteFileName))
                : new PostgresDialect(database),
            time);
}
