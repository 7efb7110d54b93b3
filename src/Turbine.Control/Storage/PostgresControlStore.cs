namespace Turbine.Control.Storage;

/// <summary>
/// <see cref="IControlStore"/> on PostgreSQL (when the host is configured with a connection string): one pooled
/// <c>NpgsqlDataSource</c>, READ COMMITTED transactions that lock the deployment row a write depends on, so several
/// controllers or API writers on one database neither lose writes nor fail. The statements are
/// <see cref="SqlControlStore"/>'s, shared with <see cref="SqliteControlStore"/>. The connection string's password is
/// never part of <see cref="SqlControlStore.Description"/> or of this store's messages.
/// </summary>
public sealed class PostgresControlStore : SqlControlStore
{
    /// <summary>A store on the PostgreSQL database named by <paramref name="connectionString"/> (tables created when missing).</summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>).</param>
    /// <param name="time">The clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Bounds; the defaults when null.</param>
    /// <exception cref="ArgumentException">The connection string is empty or not valid (the message does not repeat it).</exception>
    public PostgresControlStore(string connectionString, TimeProvider? time = null, ControlStoreOptions? options = null)
        : base(new PostgresControlDialect(connectionString), time, options)
    {
    }
}
