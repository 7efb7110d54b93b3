using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Turbine.Client.Internal;
using Turbine.Protocol;

namespace Turbine.Client;

/// <summary>
/// A named tensor to send with an inference request. The data is kept in protocol layout: little-endian,
/// row-major, BOOL as one byte, each BYTES element as a 4-byte little-endian length followed by its bytes.
/// </summary>
public sealed class InferInput
{
    private ReadOnlyMemory<byte> _raw;

    /// <summary>An input without data yet; set it with one of the <c>Set*</c> methods.</summary>
    /// <param name="name">The model input's name.</param>
    /// <param name="shape">The tensor's shape, batch dimension included when the model batches.</param>
    /// <param name="datatype">The protocol datatype (<c>FP32</c>, <c>INT64</c>, <c>BYTES</c>, …).</param>
    /// <exception cref="ArgumentException">The name or datatype is empty, or the datatype is not a protocol datatype.</exception>
    public InferInput(string name, long[] shape, string datatype)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(datatype);
        if (!Datatypes.IsKnown(datatype))
        {
            throw new ArgumentException(
                $"input '{name}': unknown datatype '{datatype}'; expected one of BOOL, UINT8, UINT16, UINT32, UINT64, " +
                "INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES, BF16",
                nameof(datatype));
        }

        Name = name;
        Shape = shape;
        Datatype = datatype;
    }

    /// <summary>The model input's name.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape.</summary>
    public long[] Shape { get; }

    /// <summary>The protocol datatype (<c>FP32</c>, <c>BYTES</c>, …).</summary>
    public string Datatype { get; }

    /// <summary>Send the data in the binary tensor data extension (default) instead of a JSON "data" array.</summary>
    public bool Binary { get; set; } = true;

    /// <summary>Whether data has been set.</summary>
    public bool HasData { get; private set; }

    /// <summary>The data in protocol layout.</summary>
    internal ReadOnlyMemory<byte> RawData => _raw;

    /// <summary>
    /// Sets the data from typed elements. <typeparamref name="T"/> must match the datatype
    /// (int → INT32, long → INT64, float → FP32, double → FP64, byte → UINT8 or BOOL, sbyte → INT8, short → INT16,
    /// ushort → UINT16 (or FP16/BF16 bits), uint → UINT32, ulong → UINT64, bool → BOOL, Half → FP16) and the
    /// element count must match the shape.
    /// </summary>
    public InferInput SetData<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        if (Datatype == Datatypes.Bytes || !Datatypes.IsCompatible<T>(Datatype))
        {
            throw new ArgumentException(
                $"input '{Name}': cannot set {Datatype} data from {typeof(T).Name} elements" +
                (Datatype == Datatypes.Bytes ? "; use SetStrings or SetBytesElements" : string.Empty),
                nameof(values));
        }

        CheckCount(values.Length);
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (typeof(T) == typeof(bool))
        {
            // A bool may hold any non-zero byte; the protocol wants exactly 0 or 1.
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
            }
        }

        if (!BitConverter.IsLittleEndian)
        {
            ReverseElements(bytes, Unsafe.SizeOf<T>());
        }

        return Store(bytes);
    }

    /// <summary>Sets the data from an array of typed elements (see <see cref="SetData{T}(ReadOnlySpan{T})"/>).</summary>
    public InferInput SetData<T>(T[] values)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        return SetData((ReadOnlySpan<T>)values);
    }

    /// <summary>Sets BYTES data from strings, encoded as UTF-8.</summary>
    public InferInput SetStrings(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        RequireBytes();
        CheckCount(values.Count);
        foreach (var value in values)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(values));
        }

        return Store(BytesTensor.Frame(values));
    }

    /// <summary>Sets BYTES data from raw byte elements.</summary>
    public InferInput SetBytesElements(IReadOnlyList<byte[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        RequireBytes();
        CheckCount(values.Count);
        foreach (var value in values)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(values));
        }

        return Store(BytesTensor.Frame(values));
    }

    /// <summary>
    /// Sets data already in protocol layout (for example FP16/BF16 bits). The memory is not copied: keep it
    /// unchanged until the request has been sent.
    /// </summary>
    public InferInput SetRaw(ReadOnlyMemory<byte> raw)
    {
        var size = Datatypes.ElementSize(Datatype);
        if (size == 0)
        {
            var count = BytesTensor.CountElements(raw.Span, out _);
            if (count < 0)
            {
                throw new ArgumentException(
                    $"input '{Name}': raw BYTES data is malformed; expected each element as a 4-byte little-endian length followed by its bytes",
                    nameof(raw));
            }

            CheckCount(count);
        }
        else
        {
            if (raw.Length % size != 0)
            {
                throw new ArgumentException(
                    $"input '{Name}': raw {Datatype} data of {raw.Length} bytes is not a whole number of {size}-byte elements",
                    nameof(raw));
            }

            CheckCount(raw.Length / size);
        }

        return Store(raw);
    }

    private InferInput Store(ReadOnlyMemory<byte> raw)
    {
        _raw = raw;
        HasData = true;
        return this;
    }

    private void RequireBytes()
    {
        if (Datatype != Datatypes.Bytes)
        {
            throw new ArgumentException($"input '{Name}': strings and byte elements need datatype BYTES, not {Datatype}");
        }
    }

    private void CheckCount(long count)
    {
        var expected = TensorShapes.ElementCount(Shape);
        if (expected >= 0 && expected != count)
        {
            throw new ArgumentException(
                $"input '{Name}': shape {TensorShapes.FormatShape(Shape)} needs {expected} elements, got {count}");
        }
    }

    private static void ReverseElements(byte[] bytes, int size)
    {
        if (size <= 1)
        {
            return;
        }

        for (var i = 0; i + size <= bytes.Length; i += size)
        {
            bytes.AsSpan(i, size).Reverse();
        }
    }
}
