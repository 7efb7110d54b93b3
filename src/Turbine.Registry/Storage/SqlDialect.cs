using System.Data.Common;

namespace Turbine.Registry.Storage;

/// <summary>
/// What differs between the SQL databases the registry runs on: connecting, three column types in the schema, and
/// recognising a unique-key violation. Every query is shared (<see cref="SqlRegistryStore"/>) and written in the
/// common subset of SQLite and PostgreSQL (<c>@name</c> parameters, <c>RETURNING</c>, <c>ON CONFLICT</c>).
/// </summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary><c>sqlite:/path</c> or <c>postgresql://host:port/db</c> (no password).</summary>
    public abstract string Description { get; }

    /// <summary>An auto-incrementing 64-bit primary key column type.</summary>
    public abstract string IdentityColumn { get; }

    /// <summary>A 64-bit integer column type.</summary>
    public abstract string IntegerType { get; }

    /// <summary>A double-precision column type.</summary>
    public abstract string RealType { get; }

    /// <summary>
    /// True when writers must be serialised in this process (SQLite has one writer at a time; serialising here avoids
    /// busy-retry storms under concurrent pushes). PostgreSQL's row locks serialise the version counter itself.
    /// </summary>
    public abstract bool SerializeWrites { get; }

    /// <summary>Statements that make the audit table refuse UPDATE and DELETE (triggers; the syntax differs).</summary>
    public abstract IEnumerable<string> AppendOnlyAuditStatements { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>Runs once before the schema is created (e.g. SQLite's WAL mode).</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract ValueTask DisposeAsync();
}
