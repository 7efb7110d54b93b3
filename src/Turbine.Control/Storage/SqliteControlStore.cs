namespace Turbine.Control.Storage;

/// <summary>
/// <see cref="IControlStore"/> on one SQLite file (the default): WAL journal, a 5 s busy timeout, pooled connections,
/// write transactions that exclude each other (<c>BEGIN IMMEDIATE</c>). The file's location is the host's choice; the
/// file and its folder are created when missing. The statements are <see cref="SqlControlStore"/>'s, shared with
/// <see cref="PostgresControlStore"/>.
/// </summary>
public sealed class SqliteControlStore : SqlControlStore
{
    /// <summary>A store on the SQLite file at <paramref name="path"/> (created with its folder when missing).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="time">The clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Bounds; the defaults when null.</param>
    public SqliteControlStore(string path, TimeProvider? time = null, ControlStoreOptions? options = null)
        : this(new SqliteControlDialect(path), time, options)
    {
    }

    private SqliteControlStore(SqliteControlDialect dialect, TimeProvider? time, ControlStoreOptions? options)
        : base(dialect, time, options)
    {
        Path = dialect.Path;
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }
}
