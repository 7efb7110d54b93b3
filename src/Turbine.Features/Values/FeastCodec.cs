using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Turbine.Features.Definitions;

namespace Turbine.Features.Values;

/// <summary>
/// Feast's online-store encodings: <c>feast.types.Value</c> protobuf for values, the stable entity-key serialization
/// (versions 2 and 3) with the project appended for Redis keys, the 4-byte Murmur3 hash field of <c>view:feature</c>,
/// and <c>google.protobuf.Timestamp</c> for <c>_ts:view</c>.
/// </summary>
public static class FeastCodec
{
    // feast.types.ValueType.Enum
    private const uint TypeBytes = 1;
    private const uint TypeString = 2;
    private const uint TypeInt32 = 3;
    private const uint TypeInt64 = 4;

    /// <summary>Serialized entity key (join keys sorted by name) as Feast's <c>serialize_entity_key</c> writes it.</summary>
    public static byte[] SerializeEntityKey(IReadOnlyList<(string JoinKey, object Value)> key, int version = 3)
    {
        var sorted = key.OrderBy(k => k.JoinKey, StringComparer.Ordinal).ToArray();
        using var ms = new MemoryStream(64);
        Span<byte> u32 = stackalloc byte[4];
        void U32(uint v, MemoryStream s, Span<byte> buf)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buf, v);
            s.Write(buf);
        }

        if (version > 2)
        {
            U32((uint)sorted.Length, ms, u32);
        }

        foreach (var (k, _) in sorted)
        {
            var bytes = Encoding.UTF8.GetBytes(k);
            U32(TypeString, ms, u32);
            if (version > 2)
            {
                U32((uint)bytes.Length, ms, u32);
            }

            ms.Write(bytes);
        }

        Span<byte> u64 = stackalloc byte[8];
        foreach (var (k, v) in sorted)
        {
            switch (v)
            {
                case string s:
                    var b = Encoding.UTF8.GetBytes(s);
                    U32(TypeString, ms, u32);
                    U32((uint)b.Length, ms, u32);
                    ms.Write(b);
                    break;
                case int i:
                    U32(TypeInt32, ms, u32);
                    U32(4, ms, u32);
                    BinaryPrimitives.WriteInt32LittleEndian(u32, i);
                    ms.Write(u32);
                    break;
                case long l:
                    U32(TypeInt64, ms, u32);
                    U32(8, ms, u32);
                    BinaryPrimitives.WriteInt64LittleEndian(u64, l);
                    ms.Write(u64);
                    break;
                case byte[] raw:
                    U32(TypeBytes, ms, u32);
                    U32((uint)raw.Length, ms, u32);
                    ms.Write(raw);
                    break;
                default:
                    throw new FeatureRepoException($"join key '{k}': value {v} of type {v.GetType().Name} cannot be part of an entity key");
            }
        }

        return ms.ToArray();
    }

    /// <summary>The Redis key of an entity: serialized entity key followed by the project name (Feast's <c>_redis_key</c>).</summary>
    public static byte[] RedisKey(string project, IReadOnlyList<(string JoinKey, object Value)> key, int version = 3)
    {
        var entity = SerializeEntityKey(key, version);
        var p = Encoding.UTF8.GetBytes(project);
        var result = new byte[entity.Length + p.Length];
        entity.CopyTo(result, 0);
        p.CopyTo(result, entity.Length);
        return result;
    }

    /// <summary>The hash field of a feature: little-endian bytes of Murmur3-32 of <c>view:feature</c> (Feast's <c>_mmh3</c>).</summary>
    public static byte[] FeatureField(string view, string feature)
    {
        var h = Murmur3.Hash32(Encoding.UTF8.GetBytes(view + ":" + feature));
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, h);
        return bytes;
    }

    /// <summary>The hash field of a view's event timestamp: <c>_ts:view</c>.</summary>
    public static string TimestampField(string view) => "_ts:" + view;

    /// <summary>Encodes a value as a <c>feast.types.Value</c> message (null: the empty message, Feast's null).</summary>
    public static byte[] EncodeValue(object? value)
    {
        using var ms = new MemoryStream(16);
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            switch (value)
            {
                case null:
                    break;
                case byte[] b:
                    o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    o.WriteBytes(ByteString.CopyFrom(b));
                    break;
                case string s:
                    o.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    o.WriteString(s);
                    break;
                case int i:
                    o.WriteTag(3, WireFormat.WireType.Varint);
                    o.WriteInt32(i);
                    break;
                case long l:
                    o.WriteTag(4, WireFormat.WireType.Varint);
                    o.WriteInt64(l);
                    break;
                case double d:
                    o.WriteTag(5, WireFormat.WireType.Fixed64);
                    o.WriteDouble(d);
                    break;
                case float f:
                    o.WriteTag(6, WireFormat.WireType.Fixed32);
                    o.WriteFloat(f);
                    break;
                case bool b:
                    o.WriteTag(7, WireFormat.WireType.Varint);
                    o.WriteBool(b);
                    break;
                case DateTime t:
                    o.WriteTag(8, WireFormat.WireType.Varint);
                    o.WriteInt64((long)Math.Floor((t - DateTime.UnixEpoch).TotalSeconds));
                    break;
                default:
                    throw new ArgumentException($"cannot encode {value.GetType().Name}", nameof(value));
            }
        }

        return ms.ToArray();
    }

    /// <summary>Decodes a <c>feast.types.Value</c> message; unset, <c>null_val</c> and list types read as null.</summary>
    public static object? DecodeValue(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }

        using var input = new CodedInputStream(bytes.ToArray());
        object? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    value = input.ReadBytes().ToByteArray();
                    break;
                case 2:
                    value = input.ReadString();
                    break;
                case 3:
                    value = input.ReadInt32();
                    break;
                case 4:
                    value = input.ReadInt64();
                    break;
                case 5:
                    value = input.ReadDouble();
                    break;
                case 6:
                    value = input.ReadFloat();
                    break;
                case 7:
                    value = input.ReadBool();
                    break;
                case 8:
                    value = DateTime.UnixEpoch.AddSeconds(input.ReadInt64());
                    break;
                default:
                    input.SkipLastField();
                    value = null;
                    break;
            }
        }

        return value;
    }

    /// <summary>A <c>google.protobuf.Timestamp</c> message for <paramref name="utc"/> (seconds and nanos).</summary>
    public static byte[] EncodeTimestamp(DateTime utc)
    {
        var ticks = (utc - DateTime.UnixEpoch).Ticks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        using var ms = new MemoryStream(16);
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            if (seconds != 0)
            {
                o.WriteTag(1, WireFormat.WireType.Varint);
                o.WriteInt64(seconds);
            }

            if (rem != 0)
            {
                o.WriteTag(2, WireFormat.WireType.Varint);
                o.WriteInt32((int)(rem * 100));
            }
        }

        return ms.ToArray();
    }

    /// <summary>Reads a <c>google.protobuf.Timestamp</c> message (without allocating).</summary>
    public static DateTime DecodeTimestamp(ReadOnlySpan<byte> bytes)
    {
        long seconds = 0;
        long nanos = 0;
        var p = 0;
        while (p < bytes.Length)
        {
            var tag = ReadVarint(bytes, ref p);
            switch (tag)
            {
                case 0x08: // seconds, varint
                    seconds = (long)ReadVarint(bytes, ref p);
                    break;
                case 0x10: // nanos, varint
                    nanos = (int)ReadVarint(bytes, ref p);
                    break;
                default:
                    throw new InvalidDataException($"google.protobuf.Timestamp: unexpected tag {tag}");
            }
        }

        return DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int p)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (p >= bytes.Length)
            {
                throw new InvalidDataException("truncated varint");
            }

            var b = bytes[p++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("varint longer than 10 bytes");
    }
}
