using System.Text;

namespace Turbine.Server.Http;

/// <summary>
/// Strings read off the wire (model, input and output names, parameter keys; gRPC and REST): a small fixed cache keyed by their UTF-8
/// bytes hands back the same string for the same bytes instead of a new one per request. Bounded: 256 slots of at most
/// 64 bytes each, a new string replaces the one in its slot.
/// </summary>
internal static class Utf8Strings
{
    private const int MaxCachedBytes = 64;
    private static readonly Entry?[] Slots = new Entry?[256];

    /// <summary>The string for valid UTF-8 <paramref name="bytes"/>.</summary>
    public static string Get(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        if (bytes.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        ref var slot = ref Slots[(hash ^ (hash >> 16)) & 255];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && bytes.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(bytes);
        Volatile.Write(ref slot, new Entry(bytes.ToArray(), value));
        return value;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;

        public string Value { get; } = value;
    }
}
