using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Xunit;

namespace Turbine.Gateway.Tests.Auth;

/// <summary>
/// The verified-key fast path (a key that matched a stored digest is compared, not hashed, on its next requests): it
/// must accept exactly the keys the digests accept, keep each key's own grant, hold nothing for keys that did not
/// verify, and start empty in a new snapshot (a config reload).
/// </summary>
public sealed class VerifiedKeyCacheTests : IDisposable
{
    private const string Reader = "reader-key-0123456789";
    private const string Writer = "writer-key-9876543210";
    private readonly JwksSourceCache _sources = new(TimeProvider.System, NullLoggerFactory.Instance);

    public void Dispose() => _sources.Dispose();

    private AuthSnapshot Snapshot(params (string Id, string Key)[] keys) => AuthSnapshot.Build(
        new AuthConfig { ApiKeys = [.. keys.Select(k => new ApiKeyConfig { Id = k.Id, Hash = ApiKeyHasher.Hash(k.Key) })] },
        _sources,
        TimeProvider.System);

    [Fact]
    public void VerifiedKey_IsRemembered_AndKeepsItsOwnGrant()
    {
        var snapshot = Snapshot(("reader", Reader), ("writer", Writer));

        var first = EdgeAuthenticator.MatchKey(snapshot, Reader);
        var again = EdgeAuthenticator.MatchKey(snapshot, Reader);
        var writer = EdgeAuthenticator.MatchKey(snapshot, Writer);
        var writerAgain = EdgeAuthenticator.MatchKey(snapshot, Writer);

        Assert.Equal("key:reader", first?.Identity);
        Assert.Same(first, again);
        Assert.Same(first, snapshot.VerifiedKeys.Find(Reader));
        Assert.Equal("key:writer", writer?.Identity);
        Assert.Same(writer, writerAgain);
        Assert.Equal(2, snapshot.VerifiedKeys.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("reader-key-012345678")] // a prefix
    [InlineData("reader-key-01234567890")] // one character more
    [InlineData("reader-key-0123456788")] // the last character changed
    [InlineData("Reader-key-0123456789")] // case
    [InlineData("reader-key-0123456789 ")]
    public void NearMisses_OfAVerifiedKey_AreRefused_AndNotRemembered(string presented)
    {
        var snapshot = Snapshot(("reader", Reader));
        Assert.NotNull(EdgeAuthenticator.MatchKey(snapshot, Reader));

        Assert.Null(EdgeAuthenticator.MatchKey(snapshot, presented));
        Assert.Null(snapshot.VerifiedKeys.Find(presented));
        Assert.Equal(1, snapshot.VerifiedKeys.Count);
    }

    [Fact]
    public void UnknownKeys_NeverGrowTheCache()
    {
        var snapshot = Snapshot(("reader", Reader));

        for (var i = 0; i < 2_000; i++)
        {
            Assert.Null(EdgeAuthenticator.MatchKey(snapshot, "guess-" + i));
        }

        Assert.Equal(0, snapshot.VerifiedKeys.Count);
        Assert.NotNull(EdgeAuthenticator.MatchKey(snapshot, Reader));
        Assert.Equal(1, snapshot.VerifiedKeys.Count);
    }

    [Fact]
    public void NewSnapshot_WithoutTheKey_RefusesAKeyTheOldOneRemembered()
    {
        var before = Snapshot(("reader", Reader), ("writer", Writer));
        Assert.NotNull(EdgeAuthenticator.MatchKey(before, Reader));
        Assert.NotNull(EdgeAuthenticator.MatchKey(before, Reader));

        var after = Snapshot(("writer", Writer));

        Assert.Null(EdgeAuthenticator.MatchKey(after, Reader));
        Assert.Equal(0, after.VerifiedKeys.Count);
        Assert.Equal("key:writer", EdgeAuthenticator.MatchKey(after, Writer)?.Identity);
    }

    [Fact]
    public void Capacity_IsTheConfiguredKeyCount()
    {
        var cache = new VerifiedKeyCache(1);
        var snapshot = Snapshot(("reader", Reader), ("writer", Writer));
        var reader = EdgeAuthenticator.MatchKey(snapshot, Reader)!;
        var writer = EdgeAuthenticator.MatchKey(snapshot, Writer)!;

        cache.Add(Reader, reader);
        cache.Add(Reader, reader);
        cache.Add(Writer, writer);

        Assert.Equal(1, cache.Count);
        Assert.Same(reader, cache.Find(Reader));
        Assert.Null(cache.Find(Writer));
    }

    [Fact]
    public void SameKey_FindsADifferenceAtEveryPosition()
    {
        var key = "k-0123456789abcdefghijklmnopqrstuvwxyz-é-\u4e2d"; // odd length in bytes past the words, non-ASCII
        Assert.True(VerifiedKeyCache.SameKey(key, new string(key.AsSpan())));
        for (var i = 0; i < key.Length; i++)
        {
            var changed = key.ToCharArray();
            changed[i] = (char)(changed[i] ^ 0x100); // a difference only in a character's high byte
            Assert.False(VerifiedKeyCache.SameKey(key, changed));
            changed[i] = (char)(key[i] ^ 1);
            Assert.False(VerifiedKeyCache.SameKey(key, changed));
        }

        Assert.False(VerifiedKeyCache.SameKey(key, key.AsSpan(0, key.Length - 1)));
        Assert.False(VerifiedKeyCache.SameKey("", "a"));
        Assert.True(VerifiedKeyCache.SameKey("", ""));
    }
}
