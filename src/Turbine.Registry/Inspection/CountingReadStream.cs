namespace Turbine.Registry.Inspection;

/// <summary>
/// A forward-only read view of a stream that reports how many bytes were read as its <see cref="Position"/>:
/// protobuf's <c>CodedInputStream.Position</c> asks the underlying stream for it, and network or tar-entry streams
/// may not know.
/// </summary>
internal sealed class CountingReadStream(Stream inner) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        _read += n;
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _read += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
