using System.Buffers;

namespace Turbine.Server.Http;

/// <summary>A growable byte buffer from <see cref="BodyArrays"/> (pooled when small); disposing returns it.</summary>
internal sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBuffer(int initialCapacity)
    {
        _buffer = BodyArrays.Rent(Math.Max(initialCapacity, 16));
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Takes a fresh array after <see cref="Dispose"/>, so a cached instance serves again (empty).</summary>
    /// <param name="initialCapacity">The smallest capacity of the new array.</param>
    public void Reopen(int initialCapacity)
    {
        _buffer = BodyArrays.Rent(Math.Max(initialCapacity, 16));
        _written = 0;
    }

    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0)
        {
            BodyArrays.Return(b);
        }
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var needed = (long)_written + sizeHint;
        var size = (int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength);
        if (size < needed)
        {
            throw new OutOfMemoryException("tensor buffer exceeds the largest array size");
        }

        var bigger = BodyArrays.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        BodyArrays.Return(_buffer);
        _buffer = bigger;
    }
}
