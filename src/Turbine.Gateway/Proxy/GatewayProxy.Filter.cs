using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Proxy;

/// <summary>Filtering of server-wide metadata answers (<see cref="MetadataFilter"/>) on the proxy path.</summary>
internal sealed partial class GatewayProxy
{
    /// <summary>Writes the buffered answer cut down to the models the caller may see (or a 502 when it cannot be read).</summary>
    private static async Task WriteFilteredAsync(HttpContext context, FilterBuffer filter, bool grpc, AttemptResult result)
    {
        if (result.Failure is not null || context.Response.HasStarted)
        {
            return;
        }

        var visible = context.Features.Get<Auth.ModelVisibility>()!.Visible;
        var ok = context.Response.StatusCode == StatusCodes.Status200OK;
        var body = filter.ToArray();
        var filtered = filter.Overflowed ? null : ok ? MetadataFilter.Filter(body, grpc, visible) : body;
        if (filtered is null)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status502BadGateway, GatewayErrors.GrpcUnavailable,
                filter.Overflowed
                    ? $"the server's answer is larger than limits.maxFilteredResponseBytes ({filter.Limit} bytes): it cannot be filtered to the models the caller may see"
                    : "the server's answer could not be read to filter it to the models the caller may see").ConfigureAwait(false);
            return;
        }

        if (!grpc)
        {
            context.Response.ContentLength = filtered.Length;
        }
        else
        {
            context.Response.Headers.ContentLength = null;
        }

        await context.Response.Body.WriteAsync(filtered, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Holds an answer (up to a limit; more is dropped and flagged) so it can be filtered before the client sees it.</summary>
    private sealed class FilterBuffer(int limit) : Stream
    {
        private readonly MemoryStream _buffer = new();

        public int Limit => limit;

        public bool Overflowed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _buffer.Length;

        public override long Position
        {
            get => _buffer.Length;
            set => throw new NotSupportedException();
        }

        public byte[] ToArray() => _buffer.ToArray();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_buffer.Length + buffer.Length > limit)
            {
                Overflowed = true;
                return;
            }

            _buffer.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
