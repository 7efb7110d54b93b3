using System.Buffers.Binary;
using System.Text;
using Turbine.Features.Definitions;

namespace Turbine.Features.Materialization;

/// <summary>
/// Feast's serialized entity key (<see cref="Values.FeastCodec.SerializeEntityKey"/>, versions 2 and 3) written from
/// typed key columns in one allocation per key: the join-key names part is computed once per view.
/// </summary>
internal sealed class EntityKeyWriter
{
    private const uint TypeString = 2;
    private const uint TypeInt32 = 3;
    private const uint TypeInt64 = 4;

    private readonly byte[] _header;
    private readonly int[] _order;
    private readonly FeatureType[] _types;

    /// <param name="keys">The view's join keys, in the view's order.</param>
    /// <param name="version">The entity key serialization version (2 or 3).</param>
    public EntityKeyWriter(IReadOnlyList<EntityDefinition> keys, int version)
    {
        _order = Enumerable.Range(0, keys.Count).OrderBy(i => keys[i].JoinKey, StringComparer.Ordinal).ToArray();
        _types = keys.Select(k => k.Type).ToArray();
        using var ms = new MemoryStream();
        Span<byte> u32 = stackalloc byte[4];
        if (version > 2)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)keys.Count);
            ms.Write(u32);
        }

        foreach (var i in _order)
        {
            var name = Encoding.UTF8.GetBytes(keys[i].JoinKey);
            BinaryPrimitives.WriteUInt32LittleEndian(u32, TypeString);
            ms.Write(u32);
            if (version > 2)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)name.Length);
                ms.Write(u32);
            }

            ms.Write(name);
        }

        _header = ms.ToArray();
    }

    /// <summary>The key of row <paramref name="row"/> (join key j's value in <paramref name="ints"/>[j] or <paramref name="strings"/>[j]).</summary>
    public byte[] Write(int row, long[][] ints, string?[][] strings)
    {
        var size = _header.Length;
        foreach (var j in _order)
        {
            size += 8 + _types[j] switch
            {
                FeatureType.Int32 => 4,
                FeatureType.Int64 => 8,
                _ => Encoding.UTF8.GetByteCount(strings[j][row]!),
            };
        }

        var key = new byte[size];
        _header.CopyTo(key, 0);
        var span = key.AsSpan(_header.Length);
        foreach (var j in _order)
        {
            switch (_types[j])
            {
                case FeatureType.Int32:
                    BinaryPrimitives.WriteUInt32LittleEndian(span, TypeInt32);
                    BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 4);
                    BinaryPrimitives.WriteInt32LittleEndian(span[8..], (int)ints[j][row]);
                    span = span[12..];
                    break;
                case FeatureType.Int64:
                    BinaryPrimitives.WriteUInt32LittleEndian(span, TypeInt64);
                    BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 8);
                    BinaryPrimitives.WriteInt64LittleEndian(span[8..], ints[j][row]);
                    span = span[16..];
                    break;
                default:
                    var n = Encoding.UTF8.GetBytes(strings[j][row]!, span[8..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(span, TypeString);
                    BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)n);
                    span = span[(8 + n)..];
                    break;
            }
        }

        return key;
    }
}
