using System.Buffers;
using Turbine.Core.Tensors;

namespace Turbine.Monitoring.Online;

/// <summary>
/// What the tap copied from one sampled request on the request path: the raw bytes of its inputs and of the prediction
/// output in buffers rented from the shared pool (returned by <see cref="Release"/> once the background reader has
/// read them), plus the few scalars the monitor needs. No per-value work happens on the request path.
/// </summary>
internal sealed class TapCapture
{
    public required string RequestId { get; init; }

    public required string Model { get; init; }

    public long Version { get; init; }

    public DateTimeOffset Time { get; init; }

    public required TapTensor[] Inputs { get; init; }

    public TapTensor? Output { get; init; }

    /// <summary>Why some tensor was not copied (too large), or null.</summary>
    public string? Problem { get; init; }

    public void Release()
    {
        foreach (var input in Inputs)
        {
            input.Release();
        }

        Output?.Release();
    }
}

/// <summary>One copied tensor: name, type, the first two dimensions and the raw bytes (rented; <see cref="Bytes"/> of them valid).</summary>
internal sealed class TapTensor
{
    private byte[]? _buffer;

    private TapTensor(string name, TensorDataType dataType, long[] shape, byte[]? buffer, int bytes, long elements)
    {
        Name = name;
        DataType = dataType;
        Rank = shape.Length;
        Dim0 = shape.Length > 0 ? shape[0] : 1;
        Dim1 = shape.Length > 1 ? shape[1] : 1;
        _buffer = buffer;
        Bytes = bytes;
        Elements = elements;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public int Rank { get; }

    public long Dim0 { get; }

    public long Dim1 { get; }

    public int Bytes { get; }

    public long Elements { get; }

    /// <summary>False when the tensor was larger than the capture budget (nothing was copied).</summary>
    public bool Copied => _buffer is not null;

    public ReadOnlyMemory<byte> Data => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Bytes);

    /// <summary>Copies the tensor's bytes when they fit in <paramref name="budget"/> (which shrinks by them).</summary>
    public static TapTensor Copy(InferenceTensor tensor, ref long budget)
    {
        var data = tensor.Data.Span;
        if (data.Length > budget)
        {
            return new TapTensor(tensor.Name, tensor.DataType, tensor.Shape, null, 0, tensor.ElementCount);
        }

        budget -= data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 1));
        data.CopyTo(buffer);
        return new TapTensor(tensor.Name, tensor.DataType, tensor.Shape, buffer, data.Length, tensor.ElementCount);
    }

    public void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
