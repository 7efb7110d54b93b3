using System.Net;

namespace Turbine.Cli.Progress;

/// <summary>
/// Reports the bytes of every request body sent through it (the artifact upload of <c>models push</c>) to a
/// <see cref="ProgressDisplay"/>, against <paramref name="total"/> (a folder's tar is a little larger than its files;
/// the bar stops at 99 % until the registry has answered). Only artifact uploads are counted, not the metadata calls.
/// </summary>
#pragma warning disable CA2000 // a DelegatingHandler disposes its inner handler when it is disposed
internal sealed class UploadProgressHandler(ProgressDisplay display, long total, TimeProvider time) : DelegatingHandler(new SocketsHttpHandler())
#pragma warning restore CA2000
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content && request.Method == HttpMethod.Post
            && request.RequestUri?.AbsolutePath.EndsWith("/api/v1/artifacts", StringComparison.Ordinal) == true)
        {
            request.Content = new ProgressContent(content, this);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private long _start;
    private long _sent;

    /// <summary>Ends the display (at 100 % when it <paramref name="succeeded"/>) so the next line starts on its own.</summary>
    public void Complete(bool succeeded)
    {
        if (succeeded && _sent > 0)
        {
            display.Update(1, $"{ProgressDisplay.Bytes(_sent)} sent");
        }

        display.Complete();
    }

    private void Sent(long bytes)
    {
        _sent = bytes;
        if (_start == 0)
        {
            _start = time.GetTimestamp();
        }

        var seconds = time.GetElapsedTime(_start).TotalSeconds;
        var rate = seconds > 0.5 ? $" {ProgressDisplay.Bytes(bytes / seconds)}/s" : "";
        display.Update(Math.Min(0.99, total > 0 ? (double)bytes / total : 0), $"{ProgressDisplay.Bytes(bytes)} of {ProgressDisplay.Bytes(total)}{rate}");
    }

    private sealed class ProgressContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly UploadProgressHandler _owner;

        public ProgressContent(HttpContent inner, UploadProgressHandler owner)
        {
            _inner = inner;
            _owner = owner;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var counting = new CountingStream(stream, _owner.Sent);
            await _inner.CopyToAsync(counting, context, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A write-only view of the request stream that counts what passes (the request stream is not ours to close).</summary>
    private sealed class CountingStream(Stream inner, Action<long> sent) : Stream
    {
        private long _bytes;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _bytes; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Count(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Count(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        protected override void Dispose(bool disposing)
        {
        }

        private void Count(int count)
        {
            _bytes += count;
            sent(_bytes);
        }
    }
}
