using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>
/// <see cref="IControlStore"/> on one SQLite file: WAL journal, a busy timeout, a schema version table, one transaction
/// per write and parameterised SQL only. Names are validated before any SQL runs. The file's location is the host's
/// choice. Timestamps are Unix milliseconds from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class SqliteControlStore : IControlStore, IDisposable
{
    /// <summary>The schema this code writes; recorded in <c>schema_version</c>.</summary>
    public const int SchemaVersion = 1;

    private const int BusyTimeoutMs = 5000;

    private static readonly string[] SchemaStatements =
    [
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS deployments (
            name TEXT PRIMARY KEY,
            generation INTEGER NOT NULL,
            yaml TEXT NOT NULL,
            paused INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            at INTEGER NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS events_by_deployment ON events (deployment, id)",
        """
        CREATE TABLE IF NOT EXISTS replicas (
            deployment TEXT NOT NULL,
            replica_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            http_port INTEGER NOT NULL,
            grpc_port INTEGER NOT NULL,
            version TEXT NOT NULL,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (deployment, replica_id))
        """,
    ];

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly ControlStoreOptions _options;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>A store on the SQLite file at <paramref name="path"/> (created with its folder when missing).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="time">The clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Bounds; the defaults when null.</param>
    public SqliteControlStore(string path, TimeProvider? time = null, ControlStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new ControlStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEventsPerDeployment, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEventMessageLength, 1, nameof(options));
        Path = System.IO.Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    public const int MaxEventsLimit = 1000;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    /// <summary>True when <paramref name="name"/> is a DNS-1123 label of at most 63 characters.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(name);

    private static ControlError? CheckName(string? name) =>
        IsValidName(name) ? null : new ControlError(ControlErrorKind.Invalid, "a deployment name must be a DNS-1123 label of at most 63 characters");

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
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var existing = await ReadDeploymentRowAsync(connection, tx, name, cancellationToken).ConfigureAwait(false);
                if (existing is { } row && string.Equals(row.Yaml, yaml, StringComparison.Ordinal))
                {
                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return ControlResult<DeploymentRecord>.Ok(row.ToRecord(spec));
                }

                DeploymentRow stored;
                if (existing is { } old)
                {
                    stored = old with { Generation = old.Generation + 1, Yaml = yaml, UpdatedAt = now };
                    await ExecuteAsync(connection, tx, "UPDATE deployments SET generation = $generation, yaml = $yaml, updated_at = $now WHERE name = $name", cancellationToken,
                        ("$generation", stored.Generation), ("$yaml", yaml), ("$now", now), ("$name", name)).ConfigureAwait(false);
                }
                else
                {
                    stored = new DeploymentRow(name, 1, yaml, false, now, now);
                    await ExecuteAsync(connection, tx, "INSERT INTO deployments (name, generation, yaml, paused, created_at, updated_at) VALUES ($name, 1, $yaml, 0, $now, $now)", cancellationToken,
                        ("$name", name), ("$yaml", yaml), ("$now", now)).ConfigureAwait(false);
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return ControlResult<DeploymentRecord>.Ok(stored.ToRecord(spec));
            }
        }
    }

    public async Task<ControlResult<DeploymentRecord>> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var row = await ReadDeploymentRowAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
            return row is { } found ? found.Parse() : ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
        }
    }

    public async Task<IReadOnlyList<ControlResult<DeploymentRecord>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<ControlResult<DeploymentRecord>>();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null, "SELECT name, generation, yaml, paused, created_at, updated_at FROM deployments ORDER BY name");
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        results.Add(DeploymentRow.From(reader).Parse());
                    }
                }
            }
        }

        return results;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(name))
        {
            return false;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var deleted = await ExecuteAsync(connection, tx, "DELETE FROM deployments WHERE name = $name", cancellationToken, ("$name", name)).ConfigureAwait(false);
                await ExecuteAsync(connection, tx, "DELETE FROM events WHERE deployment = $name", cancellationToken, ("$name", name)).ConfigureAwait(false);
                await ExecuteAsync(connection, tx, "DELETE FROM replicas WHERE deployment = $name", cancellationToken, ("$name", name)).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return deleted > 0;
            }
        }
    }

    public async Task<ControlResult<DeploymentRecord>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        if (CheckName(name) is { } invalid)
        {
            return ControlResult<DeploymentRecord>.Fail(invalid);
        }

        var now = Now();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var row = await ReadDeploymentRowAsync(connection, tx, name, cancellationToken).ConfigureAwait(false);
                if (row is not { } found)
                {
                    return ControlResult<DeploymentRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
                }

                if (found.Paused == paused)
                {
                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return found.Parse();
                }

                await ExecuteAsync(connection, tx, "UPDATE deployments SET paused = $paused, updated_at = $now WHERE name = $name", cancellationToken,
                    ("$paused", paused ? 1 : 0), ("$now", now), ("$name", name)).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (found with { Paused = paused, UpdatedAt = now }).Parse();
            }
        }
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
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                if (!await DeploymentExistsAsync(connection, tx, name, cancellationToken).ConfigureAwait(false))
                {
                    return ControlResult<ControlEvent>.Fail(ControlErrorKind.NotFound, $"no deployment '{name}'");
                }

                var command = Command(connection, tx, "INSERT INTO events (deployment, kind, reason, message, at) VALUES ($name, $kind, $reason, $message, $at) RETURNING id",
                    ("$name", name), ("$kind", kind.ToString()), ("$reason", reason), ("$message", message), ("$at", now));
                long id;
                await using (command.ConfigureAwait(false))
                {
                    id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }

                await ExecuteAsync(connection, tx,
                    "DELETE FROM events WHERE deployment = $name AND id NOT IN (SELECT id FROM events WHERE deployment = $name ORDER BY id DESC LIMIT $keep)",
                    cancellationToken, ("$name", name), ("$keep", _options.MaxEventsPerDeployment)).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return ControlResult<ControlEvent>.Ok(new ControlEvent(id, name, kind, reason, message, DateTimeOffset.FromUnixTimeMilliseconds(now)));
            }
        }
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

        var events = new List<ControlEvent>();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null, "SELECT id, kind, reason, message, at FROM events WHERE deployment = $name ORDER BY id DESC LIMIT $limit",
                ("$name", name), ("$limit", limit));
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var kind = Enum.TryParse<ControlEventKind>(reader.GetString(1), out var parsed) ? parsed : ControlEventKind.Warning;
                        events.Add(new ControlEvent(reader.GetInt64(0), name, kind, reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
                    }
                }
            }
        }

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
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                if (!await DeploymentExistsAsync(connection, tx, deployment, cancellationToken).ConfigureAwait(false))
                {
                    return ControlResult<ReplicaRecord>.Fail(ControlErrorKind.NotFound, $"no deployment '{deployment}'");
                }

                await ExecuteAsync(connection, tx,
                    """
                    INSERT INTO replicas (deployment, replica_id, pid, http_port, grpc_port, version, state, updated_at)
                    VALUES ($deployment, $id, $pid, $http, $grpc, $version, $state, $now)
                    ON CONFLICT (deployment, replica_id) DO UPDATE SET pid = excluded.pid, http_port = excluded.http_port,
                        grpc_port = excluded.grpc_port, version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
                    """,
                    cancellationToken, ("$deployment", deployment), ("$id", replicaId), ("$pid", pid), ("$http", httpPort), ("$grpc", grpcPort),
                    ("$version", version), ("$state", state), ("$now", now)).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return ControlResult<ReplicaRecord>.Ok(new ReplicaRecord(deployment, replicaId, pid, httpPort, grpcPort, version, state, DateTimeOffset.FromUnixTimeMilliseconds(now)));
            }
        }
    }

    public async Task<ControlResult<IReadOnlyList<ReplicaRecord>>> ListReplicasAsync(string deployment, CancellationToken cancellationToken = default)
    {
        if (CheckName(deployment) is { } invalid)
        {
            return ControlResult<IReadOnlyList<ReplicaRecord>>.Fail(invalid);
        }

        var replicas = new List<ReplicaRecord>();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, null,
                "SELECT replica_id, pid, http_port, grpc_port, version, state, updated_at FROM replicas WHERE deployment = $deployment ORDER BY replica_id",
                ("$deployment", deployment));
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        replicas.Add(new ReplicaRecord(deployment, reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                            reader.GetString(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
                    }
                }
            }
        }

        return ControlResult<IReadOnlyList<ReplicaRecord>>.Ok(replicas);
    }

    public async Task<bool> DeleteReplicaAsync(string deployment, string replicaId, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(deployment) || string.IsNullOrEmpty(replicaId))
        {
            return false;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var deleted = await ExecuteAsync(connection, tx, "DELETE FROM replicas WHERE deployment = $deployment AND replica_id = $id", cancellationToken,
                    ("$deployment", deployment), ("$id", replicaId)).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return deleted > 0;
            }
        }
    }

    /// <summary>Releases the pooled connections to the file (so it can be moved or deleted).</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _initLock.Dispose();
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutMs}", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var folder = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
                var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (tx.ConfigureAwait(false))
                {
                    foreach (var statement in SchemaStatements)
                    {
                        await ExecuteAsync(connection, tx, statement, cancellationToken).ConfigureAwait(false);
                    }

                    var command = Command(connection, tx, "SELECT MAX(version) FROM schema_version");
                    object? found;
                    await using (command.ConfigureAwait(false))
                    {
                        found = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (found is null or DBNull)
                    {
                        await ExecuteAsync(connection, tx, "INSERT INTO schema_version (version) VALUES ($version)", cancellationToken, ("$version", SchemaVersion)).ConfigureAwait(false);
                    }
                    else if (Convert.ToInt64(found, CultureInfo.InvariantCulture) > SchemaVersion)
                    {
                        throw new InvalidOperationException($"{Path} has control-store schema {found}, newer than this build's {SchemaVersion}");
                    }

                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (parameterName, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = parameterName;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        var command = Command(connection, tx, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> DeploymentExistsAsync(DbConnection connection, DbTransaction tx, string name, CancellationToken cancellationToken)
    {
        var command = Command(connection, tx, "SELECT 1 FROM deployments WHERE name = $name", ("$name", name));
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
    }

    private static async Task<DeploymentRow?> ReadDeploymentRowAsync(DbConnection connection, DbTransaction? tx, string name, CancellationToken cancellationToken)
    {
        var command = Command(connection, tx, "SELECT name, generation, yaml, paused, created_at, updated_at FROM deployments WHERE name = $name", ("$name", name));
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? DeploymentRow.From(reader) : null;
            }
        }
    }

    private readonly record struct DeploymentRow(string Name, long Generation, string Yaml, bool Paused, long CreatedAt, long UpdatedAt)
    {
        public static DeploymentRow From(DbDataReader reader) =>
            new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3) != 0, reader.GetInt64(4), reader.GetInt64(5));

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
