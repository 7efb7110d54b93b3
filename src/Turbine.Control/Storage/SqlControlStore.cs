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

    public async Task<ControlResult<DeploymentRecord>> ApplyAsync(string name, string yaml, DeploymentSpec spec, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(spec);
        if (!string.Equals(spec.Name, name, StringComparison.Ordinal))
        {
            return ControlResult<DeploymentRecord>.Fail(ControlErrorKind.Invalid, $"the spec is named '{spec.Name}', not '{name}'");
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            // A concurrent writer may create the same deployment between our read and this insert (PostgreSQL): then
            // nothing is inserted, the insert has waited for that writer's commit, and the row is read again, locked.
            var inserted = await ExecuteAsync(scope,
                $"INSERT INTO deployments ({DeploymentColumns}) VALUES (@name, 1, @yaml, 0, @now, @now) ON CONFLICT (name) DO NOTHING",
                cancellationToken, ("@name", name), ("@yaml", yaml), ("@now", now)).ConfigureAwait(false);
            if (inserted == 1)
            {
                await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
                return ControlResult<DeploymentRecord>.Ok(new DeploymentRow(name, 1, yaml, false, now, now).ToRecord(spec));
            }

            existing = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"deployment '{name}' was neither inserted nor found in {Description}");
        }

        var old = existing.Value;
        if (string.Equals(old.Yaml, yaml, StringComparison.Ordinal))
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return ControlResult<DeploymentRecord>.Ok(old.ToRecord(spec));
        }

        var stored = old with { Generation = old.Generation + 1, Yaml = yaml, UpdatedAt = now };
        await ExecuteAsync(scope, "UPDATE deployments SET generation = @generation, yaml = @yaml, updated_at = @now WHERE name = @name", cancellationToken,
            ("@generation", stored.Generation), ("@yaml", yaml), ("@now", now), ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<DeploymentRecord>.Ok(stored.ToRecord(spec));
    }

    public async Task<ControlResult<DeploymentRecord>> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadDeploymentRowAsync(scope, name, "", cancellationToken).ConfigureAwait(false);
        return row is { } found ? found.Parse() : ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
    }

    public async Task<IReadOnlyList<ControlResult<DeploymentRecord>>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(scope, $"SELECT {DeploymentColumns} FROM deployments ORDER BY name", DeploymentRow.From, cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(row => row.Parse());
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(name))
        {
            return false;
        }

        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);

        // Deleting the row first takes its lock: writers holding it (an append, an upsert) finish before, and the
        // deletes below see what they committed; writers that come after find no deployment.
        var deleted = await ExecuteAsync(scope, "DELETE FROM deployments WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await ExecuteAsync(scope, "DELETE FROM events WHERE deployment = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await ExecuteAsync(scope, "DELETE FROM replicas WHERE deployment = @name", cancellationToken, ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    public async Task<ControlResult<DeploymentRecord>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadDeploymentRowAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false);
        if (row is not { } found)
        {
            return ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
        }

        if (found.Paused == paused)
        {
            await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
            return found.Parse();
        }

        await ExecuteAsync(scope, "UPDATE deployments SET paused = @paused, updated_at = @now WHERE name = @name", cancellationToken,
            ("@paused", paused ? 1L : 0L), ("@now", now), ("@name", name)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (found with { Paused = paused, UpdatedAt = now }).Parse();
    }

    public async Task<ControlResult<ControlEvent>> AppendEventAsync(string name, ControlEventKind kind, string reason, string message, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<ControlEvent>.Fail(invalid);
        }

        if (!Enum.IsDefined(kind))
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.Invalid, "an event kind is Normal or Warning");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 128)
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.Invalid, "an event reason is 1 to 128 characters");
        }

        message ??= string.Empty;
        if (message.Length > _options.MaxEventMessageLength)
        {
            message = message[.._options.MaxEventMessageLength];
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);

        // The deployment row is locked for update, not share: appends to one deployment run one at a time, so ids grow
        // in commit order and the trim below sees every earlier append (the bound holds exactly).
        if (!await DeploymentExistsAsync(scope, name, _dialect.LockForUpdate, cancellationToken).ConfigureAwait(false))
        {
            return ControlResult<ControlEvent>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
        }

        var id = Convert.ToInt64(await ScalarAsync(scope,
            "INSERT INTO events (deployment, kind, reason, message, at) VALUES (@name, @kind, @reason, @message, @at) RETURNING id",
            cancellationToken, ("@name", name), ("@kind", kind.ToString()), ("@reason", reason), ("@message", message), ("@at", now)).ConfigureAwait(false),
            CultureInfo.InvariantCulture);
        await ExecuteAsync(scope,
            "DELETE FROM events WHERE deployment = @name AND id NOT IN (SELECT id FROM events WHERE deployment = @name ORDER BY id DESC LIMIT @keep)",
            cancellationToken, ("@name", name), ("@keep", (long)_options.MaxEventsPerDeployment)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<ControlEvent>.Ok(new ControlEvent(id, name, kind, reason, message, DateTimeOffset.FromUnixTimeMilliseconds(now)));
    }

    public async Task<ControlResult<IReadOnlyList<ControlEvent>>> ListEventsAsync(string name, int limit, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<IReadOnlyList<ControlEvent>>.Fail(invalid);
        }

        if (limit is < 1 or > MaxEventsLimit)
        {
            return ControlResult<IReadOnlyList<ControlEvent>>.Fail(ControlErrorKind.Invalid, $"limit must be 1 to {MaxEventsLimit}");
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var events = await QueryAsync(scope, "SELECT id, kind, reason, message, at FROM events WHERE deployment = @name ORDER BY id DESC LIMIT @limit",
            reader => new ControlEvent(
                Long(reader, 0),
                name,
                Enum.TryParse<ControlEventKind>(reader.GetString(1), out var parsed) && Enum.IsDefined(parsed) ? parsed : ControlEventKind.Warning,
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 4))),
            cancellationToken, ("@name", name), ("@limit", (long)limit)).ConfigureAwait(false);
        return ControlResult<IReadOnlyList<ControlEvent>>.Ok(events);
    }

    public async Task<ControlResult<ReplicaRecord>> UpsertReplicaAsync(string deployment, string replicaId, int pid, int httpPort, int grpcPort, string version, string state, CancellationToken cancellationToken = default)
    {
        if (CheckName(deployment) is { } invalid)
        {
            return ControlResult<ReplicaRecord>.Fail(invalid);
        }

        if (string.IsNullOrWhiteSpace(replicaId) || replicaId.Length > 128 || pid <= 0 || httpPort is < 0 or > 65535 || grpcPort is < 0 or > 65535
            || version is null || version.Length > 256 || string.IsNullOrWhiteSpace(state) || state.Length > IControlStore.MaxReplicaStateLength)
        {
            return ControlResult<ReplicaRecord>.Fail(ControlErrorKind.Invalid, "a replica needs an id (1..128 chars), a positive pid, ports 0..65535, a version (..256) and a state (1.." + IControlStore.MaxReplicaStateLength + " chars)");
        }

        var now = Now();
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (!await DeploymentExistsAsync(scope, deployment, _dialect.LockForShare, cancellationToken).ConfigureAwait(false))
        {
            return ControlResult<ReplicaRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{deployment}'");
        }

        await ExecuteAsync(scope,
            """
            INSERT INTO replicas (deployment, replica_id, pid, http_port, grpc_port, version, state, updated_at)
            VALUES (@deployment, @id, @pid, @http, @grpc, @version, @state, @now)
            ON CONFLICT (deployment, replica_id) DO UPDATE SET pid = excluded.pid, http_port = excluded.http_port,
                grpc_port = excluded.grpc_port, version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
            """,
            cancellationToken, ("@deployment", deployment), ("@id", replicaId), ("@pid", (long)pid), ("@http", (long)httpPort), ("@grpc", (long)grpcPort),
            ("@version", version), ("@state", state), ("@now", now)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ControlResult<ReplicaRecord>.Ok(new ReplicaRecord(deployment, replicaId, pid, httpPort, grpcPort, version, state, DateTimeOffset.FromUnixTimeMilliseconds(now)));
    }

    public async Task<ControlResult<IReadOnlyList<ReplicaRecord>>> ListReplicasAsync(string deployment, CancellationToken cancellationToken = default)
    {
        if (CheckName(deployment) is { } invalid)
        {
            return ControlResult<IReadOnlyList<ReplicaRecord>>.Fail(invalid);
        }

        await using var scope = await BeginReadAsync(cancellationToken).ConfigureAwait(false);
        var replicas = await QueryAsync(scope,
            "SELECT replica_id, pid, http_port, grpc_port, version, state, updated_at FROM replicas WHERE deployment = @deployment ORDER BY replica_id",
            reader => new ReplicaRecord(deployment, reader.GetString(0), Int(reader, 1), Int(reader, 2), Int(reader, 3),
                reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 6))),
            cancellationToken, ("@deployment", deployment)).ConfigureAwait(false);
        return ControlResult<IReadOnlyList<ReplicaRecord>>.Ok(replicas);
    }

    public async Task<bool> DeleteReplicaAsync(string deployment, string replicaId, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(deployment) || string.IsNullOrEmpty(replicaId))
        {
            return false;
        }

        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await ExecuteAsync(scope, "DELETE FROM replicas WHERE deployment = @deployment AND replica_id = @id", cancellationToken,
            ("@deployment", deployment), ("@id", replicaId)).ConfigureAwait(false);
        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

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
