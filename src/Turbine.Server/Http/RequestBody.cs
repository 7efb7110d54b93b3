using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Turbine.Core;

namespace Turbine.Server.Http;

/// <summary>
/// A request body read whole into a pooled buffer (decompressed when the client sent
/// <c>Content-Encoding: gzip|deflate</c>), bounded by the configured limit. Binary tensors are later sliced
/// from this buffer without copying. Disposing returns the buffer to the pool.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    public static async Task<Result<RequestBody>> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var maxLength = (int)Math.Min(limit, Array.MaxLength);
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is not ("" or "identity" or "gzip" or "deflate"))
        {
            return InferenceError.Unsupported($"unsupported Content-Encoding '{encoding}'; use gzip, deflate or identity");
        }

        var compressed = encoding is "gzip" or "deflate";
        if (!compressed && request.ContentLength is { } declared && declared > maxLength)
        {
            return new InferenceError(StatusCode.ResourceExhausted, TooLarge(declared, limit));
        }

        Stream source = request.Body;
        if (compressed)
        {
            source = encoding == "gzip"
                ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true)
                : new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        }

        var initial = !compressed && request.ContentLength is { } cl ? (int)Math.Max(cl, 1) : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initial, maxLength == 0 ? 1 : Math.Max(initial, 1)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxLength)
                    {
                        // One more byte would exceed the limit: probe before failing.
                        var probe = new byte[1];
                        if (await source.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                        {
                            break;
                        }

                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = [];
                        return new InferenceError(StatusCode.ResourceExhausted, TooLarge(null, limit));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxLength));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = [];
                    return InferenceError.InvalidArgument($"request body is not valid {encoding} data: {e.Message}");
                }

                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var body = new RequestBody(buffer, length);
            buffer = [];
            return Result<RequestBody>.Ok(body);
        }
        finally
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (compressed)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private static string TooLarge(long? declared, long limit) =>
        declared is { } d
            ? $"request body of {d} bytes exceeds the limit of {limit} bytes (--http-max-body-bytes)"
            : $"request body exceeds the limit of {limit} bytes (--http-max-body-bytes)";
}
