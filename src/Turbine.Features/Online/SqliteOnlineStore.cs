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

    private string CreateTableSql(string view) =>
        $"CREATE TABLE IF NOT EXISTS {Table(view)} (entity_key BLOB PRIMARY KEY, event_ts INTEGER NOT NULL, created_ts INTEGER NOT NULL, vals BLOB NOT NULL) WITHOUT ROWID";

    private async Task EnsureTableAsync(SqliteConnection connection, string view, CancellationToken ct)
    {
        if (_tables.ContainsKey(view))
        {
            return;
        }

        using var create = connection.CreateCommand();
        create.CommandText = CreateTableSql(view);
        await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        _tables[view] = true;
    }

    public Task<int> WriteAsync(string view, IReadOnlyList<string> features, IReadOnlyList<OnlineRow> rows, CancellationToken cancellationToken = default) =>
        WriteEncodedAsync(view, features, EncodedRows.From(rows, features.Count), cancellationToken);

    /// <summary>
    /// One transaction, one prepared upsert executed per row (SQLite is in-process and synchronous: the async
    /// wrappers would only add a task per row), each row's blob built from the encoded values in one allocation.
    /// </summary>
    public Task<int> WriteEncodedAsync(string view, IReadOnlyList<string> features, EncodedRows rows, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WriteEncoded(view, features, rows));
    }

    private int WriteEncoded(string view, IReadOnlyList<string> features, EncodedRows rows)
    {
        var names = features.Select(f => Encoding.UTF8.GetBytes(f)).ToArray();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (!_tables.ContainsKey(view))
        {
            using var create = connection.CreateCommand();
            create.CommandText = CreateTableSql(view);
            create.ExecuteNonQuery();
            _tables[view] = true;
        }

        using var tx = connection.BeginTransaction();
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
        upsert.Prepare();
        var written = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            k.Value = rows.Key(r);
            e.Value = rows.EventTicks(r);
            c.Value = rows.CreatedTicks(r);
            v.Value = EncodeValues(names, rows, r);
            written += upsert.ExecuteNonQuery();
        }

        tx.Commit();
        return written;
    }

    /// <summary>[u16 name length][name][u32 value length][feast.types.Value] per feature.</summary>
    private static byte[] EncodeValues(byte[][] names, EncodedRows rows, int row)
    {
        var size = 0;
        for (var f = 0; f < names.Length; f++)
        {
            size += 6 + names[f].Length + rows.Value(row, f).Length;
        }

        var blob = new byte[size];
        var span = blob.AsSpan();
        for (var f = 0; f < names.Length; f++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)names[f].Length);
            names[f].CopyTo(span[2..]);
            span = span[(2 + names[f].Length)..];
            var value = rows.Value(row, f);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value.Length);
            value.CopyTo(span[4..]);
            span = span[(4 + value.Length)..];
        }

        return blob;
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

    internal static object?[] DecodeValues(ReadOnlySpan<byte> blob, IReadOnlyList<string> features)
    {
        var result = new object?[features.Count];
        Span<byte> scratch = stackalloc byte[256];
        while (blob.Length >= 6)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(blob);
            var name = blob.Slice(2, nameLength);
            var valueLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob[(2 + nameLength)..]);
            var value = blob.Slice(6 + nameLength, valueLength);
            for (var i = 0; i < features.Count; i++)
            {
                if (Matches(name, features[i], scratch))
                {
                    result[i] = FeastCodec.DecodeValue(value);
                }
            }

            blob = blob[(6 + nameLength + valueLength)..];
        }

        return result;
    }

    /// <summary>Whether the UTF-8 <paramref name="name"/> is <paramref name="feature"/>, without allocating.</summary>
    private static bool Matches(ReadOnlySpan<byte> name, string feature, Span<byte> scratch)
    {
        if (name.Length > scratch.Length || Encoding.UTF8.GetMaxByteCount(feature.Length) > scratch.Length)
        {
            return name.SequenceEqual(Encoding.UTF8.GetBytes(feature));
        }

        return Encoding.UTF8.TryGetBytes(feature, scratch, out var n) && name.SequenceEqual(scratch[..n]);
    }

    public ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
