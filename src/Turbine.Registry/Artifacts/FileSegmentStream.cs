using Microsoft.Win32.SafeHandles;

namespace Turbine.Registry.Artifacts;

/// <summary>
/// A read-only, seekable window [<c>start</c>, <c>start + length</c>) of an open file, read with positional I/O
/// (<see cref="RandomAccess"/>) so several windows can share one handle — and the handle keeps its exclusive lock.
/// The S3 store hands one per part to the SDK, which may read it twice (payload signing) or rewind it on a retry.
/// Disposing the window does not close the file.
/// </summary>
internal sealed class FileSegmentStream(SafeFileHandle file, long start, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Clamp(buffer.Length);
        if (n == 0)
        {
            return 0;
        }

        var read = RandomAccess.Read(file, buffer[..n], start + _position);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = Clamp(buffer.Length);
        if (n == 0)
        {
            return 0;
        }

        var read = await RandomAccess.ReadAsync(file, buffer[..n], start + _position, cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Clamp(int requested) => (int)Math.Max(0, Math.Min(requested, length - _position));
}
