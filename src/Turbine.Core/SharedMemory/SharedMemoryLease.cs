using System.Buffers;

namespace Turbine.Core.SharedMemory;

/// <summary>
/// A hold on <c>[offset, offset + length)</c> of a registered region: its memory is the mapping itself (no copy), and
/// the region stays mapped until every lease is disposed, even when it is unregistered meanwhile.
/// </summary>
internal sealed unsafe class SharedMemoryLease : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;
    private readonly long _offset;
    private SharedMemoryRegion? _region;

    /// <summary>Wraps a reference the caller already took on <paramref name="region"/>.</summary>
    public SharedMemoryLease(SharedMemoryRegion region, long offset, int length)
    {
        _region = region;
        _pointer = region.At(offset);
        _length = length;
        _offset = offset;
    }

    public SharedMemoryRegion Region => _region ?? throw new ObjectDisposedException(nameof(SharedMemoryLease));

    /// <summary>Null while the shared memory object still holds the leased bytes; an error once a client has shrunk it.</summary>
    public InferenceError? Covered() => SharedMemoryManager.CheckObjectSize(Region, _offset, _length);

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_region is null, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_region is null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing) => Interlocked.Exchange(ref _region, null)?.Release();
}
