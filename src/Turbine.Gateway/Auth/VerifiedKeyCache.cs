using System.Runtime.InteropServices;

namespace Turbine.Gateway.Auth;

/// <summary>
/// The API keys that have already matched a stored digest in this auth snapshot, so a known caller's key is compared
/// (constant time, every entry) instead of hashed again: SHA-256 of the key was the largest gateway-owned item in the
/// proxy's CPU profile (docs/benchmarks.md, "Gateway round 4"). Only keys that verified are added, so the cache holds at
/// most one entry per configured key (two keys with one SHA-256 digest are not known to exist) and never grows with
/// what callers send; an unknown key is still hashed on every request. The snapshot owns it: a config reload (a key
/// removed or changed) starts an empty one. The keys live only in this process's memory, never in logs or metrics.
/// </summary>
internal sealed class VerifiedKeyCache(int capacity)
{
    private readonly Lock _lock = new();
    private Entry[] _entries = [];

    /// <summary>Keys held now (at most the capacity).</summary>
    public int Count => Volatile.Read(ref _entries).Length;

    /// <summary>The grant of <paramref name="key"/> when it verified before; every entry is compared (no early exit).</summary>
    public CallerGrant? Find(ReadOnlySpan<char> key)
    {
        var entries = Volatile.Read(ref _entries);
        CallerGrant? match = null;
        foreach (var entry in entries)
        {
            if (SameKey(entry.Key, key))
            {
                match = entry.Grant;
            }
        }

        return match;
    }

    /// <summary>Remembers a key that matched a stored digest (ignored once the cache is full or when already held).</summary>
    public void Add(ReadOnlySpan<char> key, CallerGrant grant)
    {
        lock (_lock)
        {
            var entries = _entries;
            if (entries.Length >= capacity || Find(key) is not null)
            {
                return;
            }

            Volatile.Write(ref _entries, [.. entries, new Entry(key.ToArray(), grant)]);
        }
    }

    /// <summary>
    /// Equal keys, in time that depends on the length only (not on where they differ): the differences of 8-byte words
    /// are OR-ed together and tested once at the end. <c>CryptographicOperations.FixedTimeEquals</c> does the same
    /// but is compiled without optimisation (~5 ns a byte: 260 ns for a 26-character key, most of this path's cost).
    /// </summary>
    internal static bool SameKey(ReadOnlySpan<char> stored, ReadOnlySpan<char> presented)
    {
        if (stored.Length != presented.Length)
        {
            return false;
        }

        var a = MemoryMarshal.AsBytes(stored);
        var b = MemoryMarshal.AsBytes(presented);
        ulong difference = 0;
        var i = 0;
        for (; i + 8 <= a.Length; i += 8)
        {
            difference |= MemoryMarshal.Read<ulong>(a[i..]) ^ MemoryMarshal.Read<ulong>(b[i..]);
        }

        for (; i < a.Length; i++)
        {
            difference |= (uint)(a[i] ^ b[i]);
        }

        return difference == 0;
    }

    private sealed record Entry(char[] Key, CallerGrant Grant);
}
