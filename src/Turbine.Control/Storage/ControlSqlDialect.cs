using System.Data.Common;

namespace Turbine.Control.Storage;

/// <summary>
/// What differs between the databases the control store runs on: connecting, the identity column, the row-lock clauses
/// that make concurrent writers safe, and the lock that serialises schema creation. Every query lives once in
/// <see cref="SqlControlStore"/>, written in the common subset of SQLite and PostgreSQL (<c>@name</c> parameters,
/// <c>RETURNING</c>, <c>ON CONFLICT</c>, <c>BIGINT</c>, which SQLite stores as a 64-bit integer).
/// </summary>
internal abstract class ControlSqlDialect : IDisposable
{
    /// <summary><c>sqlite:/path</c> or <c>postgresql://host:port/db</c>; never a password.</summary>
    public abstract string Description { get; }

    /// <summary>An auto-incrementing 64-bit primary key column (ids grow in commit order per deployment).</summary>
    public abstract string IdentityColumn { get; }

    /// <summary>
    /// Appended to a <c>SELECT</c> of one deployment row that the transaction goes on to change (or whose events it
    /// appends to): PostgreSQL's <c>FOR UPDATE</c>, so concurrent writers of one deployment queue instead of losing
    /// updates. Empty for SQLite, whose write transactions (<c>BEGIN IMMEDIATE</c>) already exclude each other.
    /// </summary>
    public abstract string LockForUpdate { get; }

    /// <summary>
    /// Appended to a <c>SELECT</c> that checks a deployment exists before writing a row that belongs to it:
    /// PostgreSQL's <c>FOR SHARE</c>, so a concurrent delete waits and no orphan row is left. Empty for SQLite.
    /// </summary>
    public abstract string LockForShare { get; }

    /// <summary>A statement run first in the schema transaction so two processes never create tables at once; or null.</summary>
    public abstract string? SchemaLockStatement { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs once before the schema is created (SQLite: the folder and WAL mode).</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Releases pooled connections.</summary>
    public abstract void Dispose();
}
