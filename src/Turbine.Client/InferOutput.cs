using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Turbine.Protocol;

namespace Turbine.Client;

/// <summary>One output tensor of an inference response, in protocol layout whether it came as JSON or binary.</summary>
public sealed class InferOutput
{
    internal InferOutput(string name, long[] shape, string datatype, ReadOnlyMemory<byte> raw)
    {
        Name = name;
        Shape = shape;
        Datatype = datatype;
        Raw = raw;
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <summary>The tensor's shape as the server answered it.</summary>
    public long[] Shape { get; }

    /// <summary>The protocol datatype (<c>FP32</c>, <c>BYTES</c>, …).</summary>
    public string Datatype { get; }

    /// <summary>Little-endian, row-major bytes; BOOL one byte; BYTES as 4-byte length + bytes per element.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>
    /// Copies the elements out as <typeparamref name="T"/>, which must match the datatype (see
    /// <see cref="InferInput.SetData{T}(ReadOnlySpan{T})"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The type does not match the datatype, or the data is not a whole number of elements.</exception>
    public T[] AsArray<T>()
        where T : unmanaged
    {
        if (Datatype == Datatypes.Bytes || !Datatypes.IsCompatible<T>(Datatype))
        {
            throw new InvalidOperationException(
                $"output '{Name}' has datatype {Datatype}; it cannot be read as {typeof(T).Name}" +
                (Datatype == Datatypes.Bytes ? "; use AsStrings or AsBytesElements" : string.Empty));
        }

        var size = Unsafe.SizeOf<T>();
        if (Raw.Length % size != 0)
        {
            throw new InvalidOperationException(
                $"output '{Name}': {Raw.Length} bytes of {Datatype} data is not a whole number of {size}-byte elements");
        }

        if (typeof(T) == typeof(bool))
        {
            var bools = new bool[Raw.Length];
            var span = Raw.Span;
            for (var i = 0; i < bools.Length; i++)
            {
                bools[i] = span[i] != 0;
            }

            return (T[])(object)bools;
        }

        var result = new T[Raw.Length / size];
        Raw.Span.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            var bytes = MemoryMarshal.AsBytes(result.AsSpan());
            for (var i = 0; i < bytes.Length; i += size)
            {
                bytes.Slice(i, size).Reverse();
            }
        }

        return result;
    }

    /// <summary>The elements of a BYTES output decoded as UTF-8 strings.</summary>
    public string[] AsStrings()
    {
        var result = new List<string>();
        Walk((element) => result.Add(Encoding.UTF8.GetString(element)));
        return [.. result];
    }

    /// <summary>The elements of a BYTES output as byte arrays.</summary>
    public byte[][] AsBytesElements()
    {
        var result = new List<byte[]>();
        Walk((element) => result.Add(element.ToArray()));
        return [.. result];
    }

    private delegate void ElementAction(ReadOnlySpan<byte> element);

    private void Walk(ElementAction action)
    {
        if (Datatype != Datatypes.Bytes)
        {
            throw new InvalidOperationException(
                $"output '{Name}' has datatype {Datatype}; strings and byte elements need BYTES, use AsArray<T>");
        }

        var span = Raw.Span;
        var rest = span;
        while (!rest.IsEmpty)
        {
            if (!BytesTensor.TryReadElement(ref rest, out var element))
            {
                throw Malformed(span.Length - rest.Length);
            }

            action(element);
        }
    }

    private InvalidOperationException Malformed(int offset) =>
        new($"output '{Name}': BYTES data is malformed at byte {offset}; expected a 4-byte little-endian length followed by that many bytes");
}
