using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Turbine.Backend;

/// <summary>
/// A named tensor in the Open Inference Protocol's raw layout: little-endian, row-major; <c>BYTES</c> elements each a
/// 4-byte little-endian length followed by that many bytes. Inputs point into the request's memory (no copy) and are
/// valid until the request's final response is sent.
/// </summary>
public sealed class Tensor
{
    /// <summary>Creates a tensor over raw bytes.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="dataType">The protocol datatype: <c>BOOL</c>, <c>UINT8</c>…<c>UINT64</c>, <c>INT8</c>…<c>INT64</c>, <c>FP16</c>, <c>FP32</c>, <c>FP64</c>, <c>BYTES</c>.</param>
    /// <param name="shape">The dimensions.</param>
    /// <param name="data">The bytes in the protocol's layout.</param>
    public Tensor(string name, string dataType, long[] shape, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The protocol datatype (<c>FP32</c>, <c>INT64</c>, <c>BYTES</c>, …).</summary>
    public string DataType { get; }

    /// <summary>The dimensions.</summary>
    public long[] Shape { get; }

    /// <summary>The raw bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The number of elements the shape describes.</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var d in Shape)
            {
                count = checked(count * d);
            }

            return count;
        }
    }

    /// <summary>The elements of a numeric tensor; throws when <typeparamref name="T"/> is not its datatype.</summary>
    /// <typeparam name="T">The element type (<c>float</c> for FP32, <c>long</c> for INT64, …).</typeparam>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged
    {
        var expected = DataTypeOf<T>();
        if (expected != DataType)
        {
            throw new InvalidOperationException($"tensor '{Name}' is {DataType}, not {expected}");
        }

        return MemoryMarshal.Cast<byte, T>(Data.Span);
    }

    /// <summary>The elements of a <c>BYTES</c> tensor as byte arrays.</summary>
    public IReadOnlyList<byte[]> ReadElements()
    {
        if (DataType != "BYTES")
        {
            throw new InvalidOperationException($"tensor '{Name}' is {DataType}, not BYTES");
        }

        var result = new List<byte[]>();
        var span = Data.Span;
        while (span.Length > 0)
        {
            if (span.Length < 4)
            {
                throw new InvalidOperationException($"tensor '{Name}': truncated BYTES element length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(span);
            if (length > span.Length - 4)
            {
                throw new InvalidOperationException($"tensor '{Name}': BYTES element of {length} bytes runs past the tensor's data");
            }

            result.Add(span.Slice(4, (int)length).ToArray());
            span = span[(4 + (int)length)..];
        }

        return result;
    }

    /// <summary>The elements of a <c>BYTES</c> tensor decoded as UTF-8 text.</summary>
    public IReadOnlyList<string> ReadStrings() => [.. ReadElements().Select(e => Encoding.UTF8.GetString(e))];

    /// <summary>A numeric tensor holding <paramref name="values"/> (copied once into the tensor's bytes).</summary>
    /// <typeparam name="T">The element type; it picks the datatype.</typeparam>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">The dimensions; their product must be the number of values.</param>
    /// <param name="values">The elements, row-major.</param>
    public static Tensor Create<T>(string name, long[] shape, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var tensor = new Tensor(name, DataTypeOf<T>(), shape, MemoryMarshal.AsBytes(values).ToArray());
        if (tensor.ElementCount != values.Length)
        {
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(",", shape)}] holds {tensor.ElementCount} elements, got {values.Length}", nameof(values));
        }

        return tensor;
    }

    /// <summary>A <c>BYTES</c> tensor holding <paramref name="elements"/>.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">The dimensions; their product must be the number of elements.</param>
    /// <param name="elements">The elements, row-major.</param>
    public static Tensor CreateBytes(string name, long[] shape, IReadOnlyList<byte[]> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var data = new byte[elements.Sum(e => 4 + e.Length)];
        var offset = 0;
        foreach (var e in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), (uint)e.Length);
            e.CopyTo(data, offset + 4);
            offset += 4 + e.Length;
        }

        var tensor = new Tensor(name, "BYTES", shape, data);
        if (tensor.ElementCount != elements.Count)
        {
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(",", shape)}] holds {tensor.ElementCount} elements, got {elements.Count}", nameof(elements));
        }

        return tensor;
    }

    /// <summary>A <c>BYTES</c> tensor holding <paramref name="values"/> as UTF-8.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">The dimensions; their product must be the number of values.</param>
    /// <param name="values">The strings, row-major.</param>
    public static Tensor CreateStrings(string name, long[] shape, IReadOnlyList<string> values) =>
        CreateBytes(name, shape, [.. (values ?? throw new ArgumentNullException(nameof(values))).Select(v => Encoding.UTF8.GetBytes(v))]);

    /// <summary>The protocol datatype of an element type.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public static string DataTypeOf<T>()
        where T : unmanaged => default(T) switch
        {
            bool => "BOOL",
            byte => "UINT8",
            sbyte => "INT8",
            ushort => "UINT16",
            short => "INT16",
            uint => "UINT32",
            int => "INT32",
            ulong => "UINT64",
            long => "INT64",
            Half => "FP16",
            float => "FP32",
            double => "FP64",
            _ => throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type"),
        };

    internal static Tensor Find(IReadOnlyList<Tensor> tensors, string name, string kind)
    {
        foreach (var t in tensors)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new KeyNotFoundException($"no {kind} named '{name}'; the {kind}s are [{string.Join(", ", tensors.Select(t => $"'{t.Name}'"))}]");
    }
}
