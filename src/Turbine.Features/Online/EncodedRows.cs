using System.Buffers.Binary;
using System.Text;
using Turbine.Features.Values;

namespace Turbine.Features.Online;

/// <summary>
/// A batch of online rows already encoded for the stores: per row the serialized entity key, event and created
/// times, and per feature the <c>feast.types.Value</c> bytes, all values in one growing buffer (no allocation per
/// value). Reused across batches with <see cref="Clear"/>. Rows are appended with <see cref="StartRow"/> followed by
/// exactly one <c>Write…</c> call per feature, in the view's feature order.
/// </summary>
public sealed class EncodedRows
{
    private byte[] _buffer = new byte[1 << 16];
    private int _length;
    private int[] _offsets;
    private byte[][] _keys;
    private long[] _events;
    private long[] _created;
    private int _values;

    /// <param name="featureCount">Values per row.</param>
    public EncodedRows(int featureCount)
    {
        FeatureCount = featureCount;
        _offsets = new int[(256 * featureCount) + 1];
        _keys = new byte[256][];
        _events = new long[256];
        _created = new long[256];
    }

    /// <summary>Values per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Rows appended.</summary>
    public int Count { get; private set; }

    /// <summary>The serialized entity key of row <paramref name="row"/>.</summary>
    public byte[] Key(int row) => _keys[row];

    /// <summary>The event time of row <paramref name="row"/> (UTC).</summary>
    public DateTime EventTime(int row) => new(_events[row], DateTimeKind.Utc);

    /// <summary>The event time of row <paramref name="row"/> in ticks.</summary>
    public long EventTicks(int row) => _events[row];

    /// <summary>The created time of row <paramref name="row"/> in ticks (0: none).</summary>
    public long CreatedTicks(int row) => _created[row];

    /// <summary>The <c>feast.types.Value</c> bytes of feature <paramref name="feature"/> of row <paramref name="row"/> (empty: null).</summary>
    public ReadOnlySpan<byte> Value(int row, int feature)
    {
        var i = (row * FeatureCount) + feature;
        return _buffer.AsSpan(_offsets[i], _offsets[i + 1] - _offsets[i]);
    }

    /// <summary>As <see cref="Value"/>, as memory (valid until the next <see cref="Clear"/> or append).</summary>
    public ReadOnlyMemory<byte> ValueMemory(int row, int feature)
    {
        var i = (row * FeatureCount) + feature;
        return _buffer.AsMemory(_offsets[i], _offsets[i + 1] - _offsets[i]);
    }

    /// <summary>Forgets every row; the buffers are kept for the next batch.</summary>
    public void Clear()
    {
        Array.Clear(_keys, 0, Count);
        Count = 0;
        _length = 0;
        _values = 0;
        _offsets[0] = 0;
    }

    /// <summary>Starts a row; write its <see cref="FeatureCount"/> values next.</summary>
    public void StartRow(byte[] entityKey, long eventTicks, long createdTicks)
    {
        if (_values != Count * FeatureCount)
        {
            throw new InvalidOperationException($"row {Count - 1} has {_values - ((Count - 1) * FeatureCount)} of {FeatureCount} values");
        }

        if (Count == _keys.Length)
        {
            var capacity = _keys.Length * 2;
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _events, capacity);
            Array.Resize(ref _created, capacity);
            Array.Resize(ref _offsets, (capacity * FeatureCount) + 1);
        }

        _keys[Count] = entityKey;
        _events[Count] = eventTicks;
        _created[Count] = createdTicks;
        Count++;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }

        return _buffer.AsSpan(_length, bytes);
    }

    private void EndValue() => _offsets[++_values] = _length;

    private void Varint(ulong v)
    {
        var span = Reserve(10);
        var n = 0;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[n++] = (byte)v;
        _length += n;
    }

    private void Tag(byte tag)
    {
        Reserve(1)[0] = tag;
        _length++;
    }

    public void WriteNull() => EndValue();

    public void WriteDouble(double d)
    {
        var span = Reserve(9);
        span[0] = 0x29; // field 5, fixed64
        BinaryPrimitives.WriteDoubleLittleEndian(span[1..], d);
        _length += 9;
        EndValue();
    }

    public void WriteFloat(float f)
    {
        var span = Reserve(5);
        span[0] = 0x35; // field 6, fixed32
        BinaryPrimitives.WriteSingleLittleEndian(span[1..], f);
        _length += 5;
        EndValue();
    }

    public void WriteInt32(int i)
    {
        Tag(0x18); // field 3, varint (negative: sign-extended, as protobuf writes int32)
        Varint((ulong)(long)i);
        EndValue();
    }

    public void WriteInt64(long l)
    {
        Tag(0x20); // field 4
        Varint((ulong)l);
        EndValue();
    }

    public void WriteBool(bool b)
    {
        var span = Reserve(2);
        span[0] = 0x38; // field 7
        span[1] = b ? (byte)1 : (byte)0;
        _length += 2;
        EndValue();
    }

    public void WriteString(string s)
    {
        Tag(0x12); // field 2, length-delimited
        var bytes = Encoding.UTF8.GetByteCount(s);
        Varint((ulong)bytes);
        _length += Encoding.UTF8.GetBytes(s, Reserve(bytes));
        EndValue();
    }

    public void WriteBytes(ReadOnlySpan<byte> b)
    {
        Tag(0x0A); // field 1
        Varint((ulong)b.Length);
        b.CopyTo(Reserve(b.Length));
        _length += b.Length;
        EndValue();
    }

    /// <summary>A <c>unix_timestamp_val</c>: whole seconds since the epoch, rounded down (as <see cref="FeastCodec.EncodeValue"/>).</summary>
    public void WriteUnixTimestamp(DateTime utc)
    {
        Tag(0x40); // field 8
        Varint((ulong)(long)Math.Floor((utc - DateTime.UnixEpoch).TotalSeconds));
        EndValue();
    }

    /// <summary>A boxed feature value (<see cref="FeatureValues"/>' CLR types; null is Feast's null).</summary>
    public void WriteBoxed(object? value)
    {
        switch (value)
        {
            case null:
                WriteNull();
                break;
            case byte[] b:
                WriteBytes(b);
                break;
            case string s:
                WriteString(s);
                break;
            case int i:
                WriteInt32(i);
                break;
            case long l:
                WriteInt64(l);
                break;
            case double d:
                WriteDouble(d);
                break;
            case float f:
                WriteFloat(f);
                break;
            case bool b:
                WriteBool(b);
                break;
            case DateTime t:
                WriteUnixTimestamp(t);
                break;
            default:
                throw new ArgumentException($"cannot encode {value.GetType().Name}", nameof(value));
        }
    }

    /// <summary>The rows of <paramref name="rows"/> (boxed values) encoded.</summary>
    public static EncodedRows From(IReadOnlyList<OnlineRow> rows, int featureCount)
    {
        var encoded = new EncodedRows(featureCount);
        foreach (var row in rows)
        {
            encoded.StartRow(row.EntityKey, row.EventTime.Ticks, row.Created.Ticks);
            for (var f = 0; f < featureCount; f++)
            {
                encoded.WriteBoxed(row.Values[f]);
            }
        }

        return encoded;
    }
}
