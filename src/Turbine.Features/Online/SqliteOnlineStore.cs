using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Data.Sqlite;
using Turbine.Features.Values;

namespace Turbine.Features.Online;

/// <summary>
/// The embedded online store: one SQLite file (WAL), one table per feature view named <c>{project}_{view}</c> (as
/// Feast names them), one row per entity key holding the event and created times and every feature's
/// <c>feast.types.Value</c> bytes, so a lookup is one primary-key probe per entity. Writes are one transaction per
/// batch with an upsert that keeps the newer row.
/// </summary>
public sealed class SqliteOnlineStore : IOnlineStore
{
    private readonly string _connectionString;
    private readonly string _project;
    private readonly ConcurrentDictionary<string, bool> _tables = new(StringComparer.Ordinal);

    public SqliteOnlineStore(string path, string project)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 5 }.ToString();
        _project = project;
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        pragma.ExecuteNonQuery();
    }

    public string Kind => "sqlite";

    private string Table(string view) => "\"" + _project + "_" + view + "\"";

    private async Task EnsureTableAsync(SqliteConnection connection, string view, CancellationToken ct)
    {
        if (_tables.ContainsKey(view))
        {
            return;
        }

        using var create = connection.CreateCommand();
        create.CommandText = $"CREATE TABLE IF NOT EXISTS {Table(view)} (entity_key BLOB PRIMARY KEY, event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL, vals BLOB NOT NULL) WITHOUT ROWID";
        await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _tables[view] = true;
    }

    public async Task<int> WriteAsync(string view, IReadOnlyList<string> features, IReadOnlyList<OnlineRow> rows, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await EnsureTableAsync(connection, view, cancellationToken).ConfigureAwait(false);
            var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                using var upsert = connection.CreateCommand();
                upsert.Transaction = tx;
                upsert.CommandText = $"""
                    INSERT INTO {Table(view)} (entity_key, event_ts, created_ts, vals) VALUES ($k, $e, $c, $v)
                    ON CONFLICT(entity_key) DO UPDATE SET event_ts = excluded.event_ts, created_ts = excluded.created_ts, vals = excluded.vals
                    WHERE excluded.event_ts > event_ts OR (excluded.event_ts = event_ts AND excluded.created_ts >= created_ts)
                    """;
                var k = upsert.Parameters.Add("$k", SqliteType.Blob);
                var e = upsert.Parameters.Add("$e", SqliteType.Integer);
                var c = upsert.Parameters.Add("$c", SqliteType.Integer);
                var v = upsert.Parameters.Add("$v", SqliteType.Blob);
                var written = 0;
                foreach (var row in rows)
                {
                    k.Value = row.EntityKey;
                    e.Value = row.EventTime.Ticks;
                    c.Value = row.Created.Ticks;
                    v.Value = EncodeValues(features, row.Values);
                    written += await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return written;
            }
        }
    }

    public async Task<OnlineRecord?[]> ReadAsync(string view, IReadOnlyList<string> features, IReadOnlyList<byte[]> entityKeys, CancellationToken cancellationToken = default)
    {
        var result = new OnlineRecord?[entityKeys.Count];
        if (entityKeys.Count == 0)
        {
            return result;
        }

        var connection = new SqliteConnection(_connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await EnsureTableAsync(connection, view, cancellationToken).ConfigureAwait(false);
            using var select = connection.CreateCommand();
            var sql = new StringBuilder($"SELECT entity_key, event_ts, vals FROM {Table(view)} WHERE entity_key IN (");
            var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < entityKeys.Count; i++)
            {
                var hex = Convert.ToHexString(entityKeys[i]);
                if (!positions.TryGetValue(hex, out var list))
                {
                    positions[hex] = list = [];
                    sql.Append(positions.Count == 1 ? "$k" : ",$k").Append(positions.Count);
                    select.Parameters.Add("$k" + positions.Count, SqliteType.Blob).Value = entityKeys[i];
                }

                list.Add(i);
            }

            select.CommandText = sql.Append(')').ToString();
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = (byte[])reader.GetValue(0);
                    var record = new OnlineRecord(new DateTime(reader.GetInt64(1), DateTimeKind.Utc), DecodeValues((byte[])reader.GetValue(2), features));
                    foreach (var i in positions[Convert.ToHexString(key)])
                    {
                        result[i] = record;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>[u16 name length][name][u32 value length][feast.types.Value] per feature.</summary>
    internal static byte[] EncodeValues(IReadOnlyList<string> features, object?[] values)
    {
        using var ms = new MemoryStream(32 * features.Count);
        Span<byte> header = stackalloc byte[4];
        for (var i = 0; i < features.Count; i++)
        {
            var name = Encoding.UTF8.GetBytes(features[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)name.Length);
            ms.Write(header[..2]);
            ms.Write(name);
            var value = FeastCodec.EncodeValue(values[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)value.Length);
            ms.Write(header);
            ms.Write(value);
        }

        return ms.ToArray();
    }

    internal static object?[] DecodeValues(ReadOnlySpan<byte> blob, IReadOnlyList<string> features)
    {
        var result = new object?[features.Count];
        while (blob.Length >= 6)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(blob);
            var name = blob.Slice(2, nameLength);
            var valueLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob[(2 + nameLength)..]);
            var value = blob.Slice(6 + nameLength, valueLength);
            for (var i = 0; i < features.Count; i++)
            {
                if (name.Length == Encoding.UTF8.GetByteCount(features[i]) && Encoding.UTF8.GetString(name) == features[i])
                {
                    result[i] = FeastCodec.DecodeValue(value);
                }
            }

            blob = blob[(6 + nameLength + valueLength)..];
        }

        return result;
    }

    public ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
