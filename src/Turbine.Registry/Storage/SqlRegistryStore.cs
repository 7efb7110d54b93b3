using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Turbine.Registry.Storage;

/// <summary>
/// The one implementation of <see cref="IRegistryStore"/>: plain ADO.NET over a <see cref="SqlDialect"/>, so SQLite
/// and PostgreSQL run the same statements. Partial files split it by concern (models, versions, tokens and audit).
/// </summary>
internal sealed partial class SqlRegistryStore(SqlDialect dialect, TimeProvider time) : IRegistryStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public string Description => dialect.Description;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await dialect.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var statement in Schema.Statements(dialect))
        {
            await ExecuteAsync(scope, statement, cancellationToken).ConfigureAwait(false);
        }

        await scope.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await dialect.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>A connection with a write transaction (and, for SQLite, this process's writer lock).</summary>
    private async Task<Scope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var locked = false;
        if (dialect.SerializeWrites)
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            locked = true;
        }

        try
        {
            var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                return new Scope(connection, transaction, locked ? _writeLock : null);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            if (locked)
            {
                _writeLock.Release();
            }

            throw;
        }
    }

    private async Task<Scope> BeginReadAsync(CancellationToken cancellationToken)
    {
        var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new Scope(connection, null, null);
    }

    private static DbCommand Command(Scope scope, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = scope.Connection.CreateCommand();
        command.Transaction = scope.Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(Scope scope, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(scope, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(Scope scope, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(scope, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(Scope scope, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
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

    private async Task AppendAuditAsync(Scope scope, string actor, string action, string? model, long? version, object details, CancellationToken cancellationToken) =>
        await ExecuteAsync(scope,
            "INSERT INTO audit (at, actor, action, model, version, details) VALUES (@at, @actor, @action, @model, @version, @details)",
            cancellationToken,
            ("@at", Now()), ("@actor", actor), ("@action", action), ("@model", model), ("@version", version),
            ("@details", JsonSerializer.Serialize(details, Json))).ConfigureAwait(false);

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>A connection, an optional transaction, and the writer lock it holds; disposing rolls back what was not committed.</summary>
    private sealed class Scope(DbConnection connection, DbTransaction? transaction, SemaphoreSlim? writeLock) : IAsyncDisposable
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

                await Connection.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                writeLock?.Release();
            }
        }
    }
}
