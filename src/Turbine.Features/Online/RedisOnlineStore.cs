using StackExchange.Redis;
using Turbine.Features.Values;

namespace Turbine.Features.Online;

/// <summary>
/// The scale-out online store, in Feast's Redis layout so a store Feast materialized can be served and the other
/// way round: one hash per entity, key = serialized entity key + project, hash field = little-endian Murmur3-32 of
/// <c>view:feature</c> holding <c>feast.types.Value</c> bytes, and <c>_ts:view</c> holding a
/// <c>google.protobuf.Timestamp</c>. Commands fail fast when Redis is down (no backlog), with a bounded timeout.
/// </summary>
public sealed class RedisOnlineStore : IOnlineStore
{
    private readonly ConnectionMultiplexer _redis;
    private readonly string _project;
    private readonly int? _keyTtlSeconds;

    private RedisOnlineStore(ConnectionMultiplexer redis, string project, int? keyTtlSeconds)
    {
        _redis = redis;
        _project = project;
        _keyTtlSeconds = keyTtlSeconds;
    }

    public string Kind => "redis";

    /// <summary>Connects to <paramref name="connectionString"/> (<c>host:port[,password=…]</c>); the store keeps retrying in the background if Redis is not up yet.</summary>
    public static async Task<RedisOnlineStore> ConnectAsync(string connectionString, string project, int? keyTtlSeconds = null, TimeSpan? timeout = null)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        var ms = (int)(timeout ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = ms;
        options.SyncTimeout = ms;
        options.AsyncTimeout = ms;
        options.ConnectRetry = 1;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return new RedisOnlineStore(redis, project, keyTtlSeconds);
    }

    private byte[] Key(byte[] entityKey)
    {
        var p = System.Text.Encoding.UTF8.GetBytes(_project);
        var key = new byte[entityKey.Length + p.Length];
        entityKey.CopyTo(key, 0);
        p.CopyTo(key, entityKey.Length);
        return key;
    }

    public Task<int> WriteAsync(string view, IReadOnlyList<string> features, IReadOnlyList<OnlineRow> rows, CancellationToken cancellationToken = default) =>
        WriteEncodedAsync(view, features, EncodedRows.From(rows, features.Count), cancellationToken);

    /// <summary>
    /// Two pipelined rounds per batch, each sent as one Redis batch: HGET of every entity's <c>_ts:view</c>, then
    /// HSET (and EXPIRE) of the entities whose stored time is not newer. Values go out as slices of the encoded
    /// buffer, not copied per value.
    /// </summary>
    public async Task<int> WriteEncodedAsync(string view, IReadOnlyList<string> features, EncodedRows rows, CancellationToken cancellationToken = default)
    {
        var db = _redis.GetDatabase();
        RedisValue tsField = FeastCodec.TimestampField(view);
        var fields = features.Select(f => (RedisValue)FeastCodec.FeatureField(view, f)).ToArray();
        try
        {
            var keys = new RedisKey[rows.Count];
            var previous = new Task<RedisValue>[rows.Count];
            var reads = db.CreateBatch();
            for (var i = 0; i < rows.Count; i++)
            {
                keys[i] = Key(rows.Key(i));
                previous[i] = reads.HashGetAsync(keys[i], tsField);
            }

            reads.Execute();
            var stamps = await Task.WhenAll(previous).WaitAsync(cancellationToken).ConfigureAwait(false);
            var writes = new List<Task>(rows.Count);
            var batch = db.CreateBatch();
            var written = 0;
            for (var i = 0; i < rows.Count; i++)
            {
                // As Feast: skip a row whose event time is not after the stored one (ties keep the newer write).
                var stored = stamps[i];
                if (stored.HasValue && FeastCodec.DecodeTimestamp((byte[])stored!) > rows.EventTime(i))
                {
                    continue;
                }

                var entries = new HashEntry[fields.Length + 1];
                entries[0] = new HashEntry(tsField, FeastCodec.EncodeTimestamp(rows.EventTime(i)));
                for (var f = 0; f < fields.Length; f++)
                {
                    entries[f + 1] = new HashEntry(fields[f], rows.ValueMemory(i, f));
                }

                writes.Add(batch.HashSetAsync(keys[i], entries));
                if (_keyTtlSeconds is { } ttl)
                {
                    writes.Add(batch.KeyExpireAsync(keys[i], TimeSpan.FromSeconds(ttl)));
                }

                written++;
            }

            batch.Execute();
            await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
            return written;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new OnlineStoreUnavailableException($"redis online store: {e.Message}", e);
        }
    }

    public async Task<OnlineRecord?[]> ReadAsync(string view, IReadOnlyList<string> features, IReadOnlyList<byte[]> entityKeys, CancellationToken cancellationToken = default)
    {
        var db = _redis.GetDatabase();
        var fields = new RedisValue[features.Count + 1];
        for (var f = 0; f < features.Count; f++)
        {
            fields[f] = FeastCodec.FeatureField(view, features[f]);
        }

        fields[^1] = FeastCodec.TimestampField(view);
        try
        {
            var answers = await Task.WhenAll(entityKeys.Select(k => db.HashGetAsync(Key(k), fields))).WaitAsync(cancellationToken).ConfigureAwait(false);
            var result = new OnlineRecord?[entityKeys.Count];
            for (var i = 0; i < answers.Length; i++)
            {
                var a = answers[i];
                if (!a[^1].HasValue)
                {
                    continue;
                }

                var values = new object?[features.Count];
                for (var f = 0; f < features.Count; f++)
                {
                    values[f] = a[f].HasValue ? FeastCodec.DecodeValue((byte[])a[f]!) : null;
                }

                result[i] = new OnlineRecord(FeastCodec.DecodeTimestamp((byte[])a[^1]!), values);
            }

            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new OnlineStoreUnavailableException($"redis online store: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync().ConfigureAwait(false);
}
