using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>
/// The one implementation of <see cref="IControlStore"/>: plain ADO.NET over a dialect, so SQLite
/// (<see cref="SqliteControlStore"/>) and PostgreSQL (<see cref="PostgresControlStore"/>) run the same parameterised
/// statements. One transaction per write; names are validated before any SQL runs; a <c>schema_version</c> table
/// refuses a database written by a newer schema. Timestamps are Unix milliseconds from the injected
/// <see cref="TimeProvider"/>. Concurrent writers (several stores, processes or controllers on one database) neither
/// lose writes nor fail: SQLite's write transactions exclude each other, and on PostgreSQL each write locks the
/// deployment row it depends on.
/// </summary>
public abstract partial class SqlControlStore : IControlStore, IDisposable
{
    /// <summary>The schema this code writes; recorded in <c>schema_version</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The most events one <see cref="ListEventsAsync"/> call returns.</summary>
    public const int MaxEventsLimit = 1000;

    private const string DeploymentColumns = "name, generation, yaml, paused, created_at, updated_at";

    private readonly ControlSqlDialect _dialect;
    private readonly TimeProvider _time;
    private readonly ControlStoreOptions _options;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;
    private bool _disposed;

    private protected SqlControlStore(ControlSqlDialect dialect, TimeProvider? time, ControlStoreOptions? options)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        _options = options ?? new ControlStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEventsPerDeployment, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEventMessageLength, 1, nameof(options));
        _dialect = dialect;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where the data lives: <c>sqlite:/path</c> or <c>postgresql://host:port/db</c> (never a password).</summary>
    public string Description => _dialect.Description;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    /// <summary>True when <paramref name="name"/> is a DNS-1123 label of at most 63 characters.</summary>
    /// <param name="name">The name to check.</param>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(name);

    private static ControlError? CheckName(string? name) =>
        IsValidName(name) ? null : new ControlError(ControlErrorKind.Invalid, "a deployment name must be a DNS-1123 label of at most 63 characters");

    private string[] SchemaStatements() =>
    [
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS deployments (
            name TEXT PRIMARY KEY,
            generation BIGINT NOT NULL,
            yaml TEXT NOT NULL,
            paused BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS events (
            id {_dialect.IdentityColumn},
            deployment TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            at BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS events_by_deployment ON events (deployment, id)",
        """
        CREATE TABLE IF NOT EXISTS replicas (
            deployment TEXT NOT NULL,
            replica_id TEXT NOT NULL,
            pid BIGINT NOT NULL,
            http_port BIGINT NOT NULL,
            grpc_port BIGINT NOT NULL,
            version TEXT NOT NULL,
            state TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (deployment, replica_id))
        """,
    ];

    /// <summary>Releases the pooled connections (for SQLite, so the file can be moved or deleted).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the dialect's connections when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        _dialect.Dispose();
        _initLock.Dispose();
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            await _dialect.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using (var scope = await OpenScopeAsync(transaction: true, cancellationToken).ConfigureAwait(false))
            {
                if (_dialect.SchemaLockStatement is { } schemaLock)
                {
                    await ExecuteAsync(scope, schemaLock, cancellationToken).ConfigureAwait(false);
                }

                foreach (var statement in SchemaStatements())
                {
                    await ExecuteAsync(scope, statement, cancellationToken).ConfigureAwait(false);
                }

                var found = await ScalarAsync(scope, "SELECT MAX(version) FROM schema_version", cancellationToken).ConfigureAwait(false);
                if (found is null)
                {
                    await ExecuteAsync(scope, "INSERT INTO schema_version (version) VALUES (@version)", cancellationToken, ("@version", (long)SchemaVersion)).ConfigureAwait(false);
                }
                else if (Convert.ToInt64(found, CultureInfo.InvariantCulture) > SchemaVersion)
                {
                    throw new InvalidOperationException($"{Description} has control-store schema {found}, newer than this build's {SchemaVersion}");
                }

                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async Task<Scope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await OpenScopeAsync(transaction: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Scope> BeginReadAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await OpenScopeAsync(transaction: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Scope> OpenScopeAsync(bool transaction, CancellationToken cancellationToken)
    {
        var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tx = transaction ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
            return new Scope(connection, tx);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static DbCommand Command(Scope scope, string sql, params (string Name, object Value)[] parameters)
    {
        var command = scope.Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = scope.Transaction;
        foreach (var (parameterName, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = parameterName;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(Scope scope, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = Command(scope, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(Scope scope, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = Command(scope, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(Scope scope, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = Command(scope, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var list = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(map(reader));
                }

                return list;
            }
        }
    }

    private static async Task<bool> DeploymentExistsAsync(Scope scope, string name, string lockClause, CancellationToken cancellationToken) =>
        await ScalarAsync(scope, "SELECT 1 FROM deployments WHERE name = @name" + lockClause, cancellationToken, ("@name", name)).ConfigureAwait(false) is not null;

    private static async Task<DeploymentRow?> ReadDeploymentRowAsync(Scope scope, string name, string lockClause, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(scope, $"SELECT {DeploymentColumns} FROM deployments WHERE name = @name" + lockClause, DeploymentRow.From,
            cancellationToken, ("@name", name)).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>A connection and an optional transaction; disposing rolls back what was not committed.</summary>
    private sealed class Scope(DbConnection connection, DbTransaction? transaction) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;

        public DbTransaction? Transaction { get; } = transaction;

        public Task CommitAsync(CancellationToken cancellationToken) => Transaction!.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Transaction is not null)
                {
                    await Transaction.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private readonly record struct DeploymentRow(string Name, long Generation, string Yaml, bool Paused, long CreatedAt, long UpdatedAt)
    {
        public static DeploymentRow From(DbDataReader reader) =>
            new(reader.GetString(0), Long(reader, 1), reader.GetString(2), Long(reader, 3) != 0, Long(reader, 4), Long(reader, 5));

        public DeploymentRecord ToRecord(DeploymentSpec spec) =>
            new(Name, Generation, Yaml, spec, Paused, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));

        public ControlResult<DeploymentRecord> Parse()
        {
            var parsed = InferenceServiceParser.Parse(Yaml, $"deployment '{Name}' (stored)");
            return parsed.Succeeded
                ? ControlResult<DeploymentRecord>.Ok(ToRecord(parsed.Spec!))
                : ControlResult<DeploymentRecord>.Fail(ControlErrorKind.Corrupt,
                    $"the stored YAML of '{Name}' no longer parses: {string.Join("; ", parsed.Errors)}");
        }
    }
}
