using System.Text;
using StackExchange.Redis;
using Turbine.Features.Definitions;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;
using Turbine.Features.Values;

namespace Turbine.Features.Tests;

/// <summary>Feast's Redis layout, checked against bytes written out by hand from Feast's format description.</summary>
public sealed class FeastLayoutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // serialize_entity_key v3 of {user_id: int64 1001}: key count, (STRING type, length, name) per key, (type, length, bytes) per value.
    private static readonly byte[] EntityKey1001 =
    [
        1, 0, 0, 0,
        2, 0, 0, 0, 7, 0, 0, 0, .. "user_id"u8,
        4, 0, 0, 0, 8, 0, 0, 0, 0xe9, 0x03, 0, 0, 0, 0, 0, 0,
    ];

    [Theory]
    [InlineData("", 0u)]
    [InlineData("hello", 613153351u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x2e4ff723u)]
    public void Murmur3_MatchesReferenceVectors(string text, uint expected) =>
        Assert.Equal(expected, Murmur3.Hash32(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void SerializeEntityKey_MatchesFeastBytes()
    {
        Assert.Equal(EntityKey1001, FeastCodec.SerializeEntityKey([("user_id", 1001L)]));
        // v2: no key count, no name length.
        Assert.Equal([2, 0, 0, 0, .. "user_id"u8, 4, 0, 0, 0, 8, 0, 0, 0, 0xe9, 0x03, 0, 0, 0, 0, 0, 0], FeastCodec.SerializeEntityKey([("user_id", 1001L)], version: 2));
        // Join keys are sorted by name whatever the order given.
        Assert.Equal(FeastCodec.SerializeEntityKey([("a", "x"), ("b", 2)]), FeastCodec.SerializeEntityKey([("b", 2), ("a", "x")]));
    }

    [Theory]
    [InlineData(3L, new byte[] { 0x20, 0x03 })]
    [InlineData("c", new byte[] { 0x12, 0x01, (byte)'c' })]
    [InlineData(true, new byte[] { 0x38, 0x01 })]
    [InlineData(7, new byte[] { 0x18, 0x07 })]
    [InlineData(null, new byte[0])]
    public void EncodeValue_IsFeastValueProto(object? value, byte[] expected)
    {
        Assert.Equal(expected, FeastCodec.EncodeValue(value));
        Assert.Equal(value, FeastCodec.DecodeValue(expected));
    }

    [Fact]
    public async Task FeastWrittenStore_IsServed_AndTurbineWritesTheSameLayout()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path) with { Project = "feastproj" + Guid.NewGuid().ToString("N")[..6] };
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = mux.GetDatabase();

        // As Feast's Python RedisOnlineStore writes it: double 21.5, int64 3, string "c", _ts = Timestamp{seconds}.
        var key = EntityKey1001.Concat(Encoding.UTF8.GetBytes(repo.Project)).ToArray();
        var seconds = (long)(RepoBuilder.T0.AddMinutes(660) - DateTime.UnixEpoch).TotalSeconds;
        await db.HashSetAsync(key,
        [
            new HashEntry(Field("user_stats:spend"), (byte[])[0x29, .. BitConverter.GetBytes(21.5)]),
            new HashEntry(Field("user_stats:orders"), (byte[])[0x20, 0x03]),
            new HashEntry(Field("user_stats:tier"), (byte[])[0x12, 0x01, (byte)'c']),
            new HashEntry("_ts:user_stats", Varint(0x08, seconds)),
        ]);

        await using var store = await RedisOnlineStore.ConnectAsync(redis.ConnectionString, repo.Project);
        var service = new OnlineFeatureService(repo, store, new FixedTime(RepoBuilder.T0.AddMinutes(700)));
        var result = await service.GetAsync(["user_stats"], null, new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = [1001L] }, false);
        Assert.Equal([21.5], result.Columns[1].Values);
        Assert.Equal([3L], result.Columns[2].Values);
        Assert.Equal(["c"], result.Columns[3].Values);
        Assert.Equal(RepoBuilder.T0.AddMinutes(660), result.Columns[1].EventTimestamps[0]);

        // Turbine's materialize writes what Feast would: user 1's key and fields.
        await new Materializer(repo, store).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddDays(1));
        var user1 = FeastCodec.SerializeEntityKey([("user_id", 1L)]).Concat(Encoding.UTF8.GetBytes(repo.Project)).ToArray();
        var stored = (await db.HashGetAllAsync(user1)).ToDictionary(e => Convert.ToHexString((byte[])e.Name!), e => (byte[])e.Value!);
        Assert.Equal(4, stored.Count);
        Assert.Equal((byte[])[0x20, 0x03], stored[Convert.ToHexString(Field("user_stats:orders"))]);
        Assert.Equal(Varint(0x08, (long)(RepoBuilder.T0.AddMinutes(660) - DateTime.UnixEpoch).TotalSeconds), stored[Convert.ToHexString("_ts:user_stats"u8.ToArray())]);
    }

    [Fact]
    public async Task RedisDown_ReadFailsAsUnavailable()
    {
        await using var store = await RedisOnlineStore.ConnectAsync($"127.0.0.1:{Loopback.FreePort()}", "p", timeout: TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<OnlineStoreUnavailableException>(() => store.ReadAsync("v", ["f"], [[1, 2, 3]]));
    }

    private static byte[] Field(string viewFeature) => BitConverter.GetBytes(Murmur3.Hash32(Encoding.UTF8.GetBytes(viewFeature)));

    private static byte[] Varint(byte tag, long value)
    {
        var bytes = new List<byte> { tag };
        var v = (ulong)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }
}
