using System.IO.Compression;
using System.Text;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>Compressed request bodies for the fuzzers: valid ones, and bombs that expand far past any limit.</summary>
internal static class Bodies
{
    private static readonly Lazy<byte[]> GzipBombLazy = new(() => GzipBomb(1024));
    private static readonly Lazy<byte[]> DeflateBombLazy = new(() => Compress("deflate", new ZeroStream(256L * 1024 * 1024)));

    /// <summary>About 1 MB of gzip that expands to 1 GiB of zeros (1,024 concatenated members of 1 MiB each).</summary>
    public static byte[] GzipBombGiB => GzipBombLazy.Value;

    /// <summary>A zlib ("deflate") stream that expands to 256 MiB of zeros.</summary>
    public static byte[] DeflateBomb => DeflateBombLazy.Value;

    public static byte[] Compress(string encoding, byte[] data) => Compress(encoding, new MemoryStream(data));

    public static byte[] Compress(string encoding, Stream data)
    {
        var output = new MemoryStream();
        using (Stream compressor = encoding == "gzip"
                   ? new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)
                   : new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            data.CopyTo(compressor);
        }

        return output.ToArray();
    }

    private static byte[] GzipBomb(int members)
    {
        var member = Compress("gzip", new byte[1024 * 1024]);
        var bomb = new byte[member.Length * members];
        for (var i = 0; i < members; i++)
        {
            member.CopyTo(bomb, i * member.Length);
        }

        return bomb;
    }

    /// <summary>A JSON body whose header is valid but carries a string of <paramref name="padding"/> characters.</summary>
    public static Stream PaddedJson(long padding)
    {
        var head = Encoding.UTF8.GetBytes("{\"id\":\"");
        var tail = Encoding.UTF8.GetBytes("\"," + HardenedServer.SimpleJson(0)[1..]);
        return new ConcatStream(head, new RepeatStream((byte)'a', padding), tail);
    }

    private sealed class ZeroStream(long length) : RepeatStream(0, length);

    private class RepeatStream(byte value, long total) : Stream
    {
        private readonly long _total = total;
        private long _left = total;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _total;

        public override long Position { get => _total - _left; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            buffer.AsSpan(offset, n).Fill(value);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ConcatStream(byte[] head, Stream middle, byte[] tail) : Stream
    {
        private int _part;
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_part < 3)
            {
                if (_part == 1)
                {
                    var n = middle.Read(buffer, offset, count);
                    if (n > 0)
                    {
                        return n;
                    }

                    _part++;
                    continue;
                }

                var bytes = _part == 0 ? head : tail;
                if (_offset < bytes.Length)
                {
                    var n = Math.Min(count, bytes.Length - _offset);
                    bytes.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset));
                    _offset += n;
                    return n;
                }

                _part++;
                _offset = 0;
            }

            return 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
