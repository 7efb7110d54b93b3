using System.Collections.Concurrent;
using System.Text;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Model and version names as the classifiers read them (REST path segments, the gRPC message's name fields), kept
/// as strings after their first request so the next requests naming them allocate none. Bounded: the first
/// <see cref="MaxNames"/> distinct names of at most 256 characters are kept (<see cref="Shared"/>: the process's),
/// whatever callers send (so at most ~0.5 MB); later or longer ones are made per request, as before.
/// </summary>
internal sealed class NameCache
{
    /// <summary>Most names the shared cache keeps.</summary>
    internal const int MaxNames = 1024;

    private const int MaxStackChars = 256;

    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _max;

    public NameCache(int max)
    {
        _max = max;
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The cache the classifiers use.</summary>
    public static NameCache Shared { get; } = new(MaxNames);

    /// <summary>Names kept now (at most the cap).</summary>
    public int Count => _names.Count;

    /// <summary>The name's string from <see cref="Shared"/>.</summary>
    public static string Get(ReadOnlySpan<char> name) => Shared.Of(name);

    /// <summary>The string of UTF-8 bytes from <see cref="Shared"/>.</summary>
    public static string GetUtf8(ReadOnlySpan<byte> utf8) => Shared.OfUtf8(utf8);

    /// <summary>The name's string: the kept one when it was seen before.</summary>
    public string Of(ReadOnlySpan<char> name)
    {
        if (_lookup.TryGetValue(name, out var kept))
        {
            return kept;
        }

        var made = name.ToString();
        if (_names.Count < _max && name.Length <= MaxStackChars)
        {
            _names.TryAdd(made, made);
        }

        return made;
    }

    /// <summary>The string of UTF-8 bytes (invalid sequences become U+FFFD, as <see cref="Encoding.GetString(byte[])"/> does).</summary>
    public string OfUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxStackChars)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxStackChars];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        return Of(chars[..n]);
    }
}
