using System.Buffers.Binary;
using System.Text;

namespace Turbine.Protocol;

/// <summary>
/// The BYTES element framing of the protocol's raw layout: each element is a 4-byte little-endian length
/// followed by that many bytes. The one implementation of the framing for the client, the server and the engine.
/// </summary>
public static class BytesTensor
{
    /// <summary>
    /// Counts the elements of a framed buffer, checking that every length fits. Returns -1 and a reason when
    /// the framing is broken.
    /// </summary>
    public static long CountElements(ReadOnlySpan<byte> data, out string? problem)
    {
        long count = 0;
        var offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < 4)
            {
                problem = $"truncated BYTES element length at byte offset {offset}: {data.Length - offset} bytes left, need 4";
                return -1;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            offset += 4;
            if (length > (uint)(data.Length - offset))
            {
                problem = $"BYTES element {count} declares {length} bytes but only {data.Length - offset} remain";
                return -1;
            }

            offset += (int)length;
            count++;
        }

        problem = null;
        return count;
    }

    /// <summary>
    /// Reads the next element of <paramref name="data"/> and advances past it. Returns false, leaving
    /// <paramref name="data"/> as it was, when the framing there is broken (fewer than 4 bytes left, or a length
    /// beyond the end); the caller checks <see cref="ReadOnlySpan{T}.IsEmpty"/> for the end.
    /// </summary>
    public static bool TryReadElement(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> element)
    {
        if (data.Length < 4)
        {
            element = default;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length > (uint)(data.Length - 4))
        {
            element = default;
            return false;
        }

        element = data.Slice(4, (int)length);
        data = data[(4 + (int)length)..];
        return true;
    }

    /// <summary>
    /// Writes one framed element (its length, then its bytes) at the start of <paramref name="destination"/>,
    /// which must hold <c>4 + element.Length</c> bytes; returns the bytes written.
    /// </summary>
    public static int WriteElement(Span<byte> destination, ReadOnlySpan<byte> element)
    {
        element.CopyTo(destination[4..]);
        return WriteLengthPrefix(destination, element.Length);
    }

    /// <summary>
    /// Frames an element whose bytes were already written at <c>destination[4..]</c> (decoded in place): writes its
    /// <paramref name="length"/> in front; returns the bytes the framed element takes.
    /// </summary>
    public static int WriteLengthPrefix(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        return 4 + length;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as one framed UTF-8 element at the start of <paramref name="destination"/>,
    /// which must hold <c>4 + Encoding.UTF8.GetByteCount(value)</c> bytes; returns the bytes written.
    /// </summary>
    public static int WriteElement(Span<byte> destination, string value)
    {
        return WriteLengthPrefix(destination, Encoding.UTF8.GetBytes(value, destination[4..]));
    }

    /// <summary>Enumerates the elements of a well-formed framed buffer.</summary>
    public static Enumerator Enumerate(ReadOnlySpan<byte> data) => new(data);

    /// <summary>Size in bytes of the framed form of <paramref name="elements"/>.</summary>
    public static int FramedSize(IEnumerable<string> elements)
    {
        var size = 0;
        foreach (var e in elements)
        {
            size = checked(size + 4 + Encoding.UTF8.GetByteCount(e));
        }

        return size;
    }

    /// <summary>Frames UTF-8 strings into a new buffer.</summary>
    public static byte[] Frame(IReadOnlyList<string> elements)
    {
        var buffer = new byte[FramedSize(elements)];
        var offset = 0;
        foreach (var e in elements)
        {
            offset += WriteElement(buffer.AsSpan(offset), e);
        }

        return buffer;
    }

    /// <summary>Frames raw byte elements into a new buffer.</summary>
    public static byte[] Frame(IReadOnlyList<byte[]> elements)
    {
        var size = 0;
        foreach (var e in elements)
        {
            size = checked(size + 4 + e.Length);
        }

        var buffer = new byte[size];
        var offset = 0;
        foreach (var e in elements)
        {
            offset += WriteElement(buffer.AsSpan(offset), e);
        }

        return buffer;
    }

    /// <summary>Decodes every element as UTF-8 text.</summary>
    public static List<string> ToStrings(ReadOnlySpan<byte> data)
    {
        var list = new List<string>();
        foreach (var element in Enumerate(data))
        {
            list.Add(Encoding.UTF8.GetString(element));
        }

        return list;
    }

    /// <summary>Enumerator over framed elements (a ref struct: no allocation).</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _offset;

        internal Enumerator(ReadOnlySpan<byte> data)
        {
            _data = data;
            _offset = 0;
            Current = default;
        }

        /// <summary>The element the enumerator is on.</summary>
        public ReadOnlySpan<byte> Current { get; private set; }

        /// <summary>Returns this enumerator (so <c>foreach</c> works over <see cref="Enumerate"/>).</summary>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next element; false at the end.</summary>
        public bool MoveNext()
        {
            if (_offset + 4 > _data.Length)
            {
                return false;
            }

            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_data[_offset..]);
            Current = _data.Slice(_offset + 4, length);
            _offset += 4 + length;
            return true;
        }
    }
}
