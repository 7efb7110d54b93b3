using System.Buffers;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Concatenates request inputs along dimension 0 into pooled buffers and splits batch outputs back into
/// per-request slices that share the batch output through a reference-counted owner.
/// </summary>
internal static class BatchTensors
{
    /// <summary>
    /// One input of the batch: every part's bytes one after the other (BYTES: the framed elements, which
    /// concatenate as they are) in a buffer rented from the shared pool; disposing the tensor returns it.
    /// </summary>
    public static InferenceTensor Concatenate(IReadOnlyList<InferenceTensor> parts, long totalBatch)
    {
        var first = parts[0];
        var length = 0;
        foreach (var part in parts)
        {
            length = checked(length + part.Data.Length);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var offset = 0;
        foreach (var part in parts)
        {
            part.Data.Span.CopyTo(buffer.AsSpan(offset));
            offset += part.Data.Length;
        }

        long[] shape = [totalBatch, .. first.Shape.AsSpan(1)];
        return new InferenceTensor(first.Name, first.DataType, shape, buffer.AsMemory(0, length), new PooledBuffer(buffer));
    }

    /// <summary>
    /// Splits a batch output along dimension 0 into slices of <paramref name="sizes"/> items. The slices hold
    /// the output's memory through a shared owner: the output is released when the last slice is disposed.
    /// Returns null when the output's first dimension is not the batch (it cannot be split).
    /// </summary>
    public static InferenceTensor[]? Split(InferenceTensor output, IReadOnlyList<long> sizes)
    {
        long total = 0;
        foreach (var size in sizes)
        {
            total += size;
        }

        if (output.Shape.Length == 0 || output.Shape[0] != total || total == 0)
        {
            return null;
        }

        var itemElements = TensorShape.ElementCount(output.Shape.AsSpan(1));
        var offsets = ItemOffsets(output, total, itemElements);
        if (offsets is null)
        {
            return null;
        }

#pragma warning disable CA2000 // each slice's lease holds a count on it; the last lease disposed frees the output
        var shared = new SharedOwner(output, sizes.Count);
#pragma warning restore CA2000
        var slices = new InferenceTensor[sizes.Count];
        long item = 0;
        for (var i = 0; i < sizes.Count; i++)
        {
            var start = offsets[item];
            var end = offsets[item + sizes[i]];
            long[] shape = [sizes[i], .. output.Shape.AsSpan(1)];
            slices[i] = new InferenceTensor(output.Name, output.DataType, shape, output.Data[start..end], shared.Lease());
            item += sizes[i];
        }

        return slices;
    }

    /// <summary>Byte offset of each batch item (and the end), or null when the data does not fit the shape.</summary>
    private static int[]? ItemOffsets(InferenceTensor output, long total, long itemElements)
    {
        var offsets = new int[total + 1];
        var data = output.Data.Span;
        if (output.DataType != TensorDataType.Bytes)
        {
            if (data.Length % total != 0)
            {
                return null;
            }

            var itemBytes = (int)(data.Length / total);
            for (var i = 0; i <= total; i++)
            {
                offsets[i] = i * itemBytes;
            }

            return offsets;
        }

        var rest = data;
        for (var i = 0; i < total; i++)
        {
            offsets[i] = data.Length - rest.Length;
            for (long e = 0; e < itemElements; e++)
            {
                if (!BytesTensor.TryReadElement(ref rest, out _))
                {
                    return null;
                }
            }
        }

        offsets[total] = data.Length - rest.Length;
        return rest.IsEmpty ? offsets : null;
    }

    private sealed class PooledBuffer(byte[] buffer) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } b)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }
    }

    /// <summary>Disposes the batch output when every lease on it is disposed.</summary>
    private sealed class SharedOwner(InferenceTensor inner, int count) : IDisposable
    {
        private int _count = count;

        public IDisposable Lease() => new SliceLease(this);

        public void Dispose()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                inner.Dispose();
            }
        }
    }

    private sealed class SliceLease(SharedOwner owner) : IDisposable
    {
#pragma warning disable CA2213 // Dispose does release it (through Interlocked.Exchange, which the analyzer does not follow)
        private SharedOwner? _owner = owner;
#pragma warning restore CA2213

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
    }
}
