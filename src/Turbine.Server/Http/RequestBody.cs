using System.Numerics;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Turbine.Core;

namespace Turbine.Server.Http;

/// <summary>
/// A request body read whole into one buffer (decompressed when the client sent <c>Content-Encoding: gzip|deflate</c>),
/// bounded by a per-request limit and by the server-wide <see cref="RequestBodyBudget"/>. The buffer starts small and
/// grows only as bytes arrive (never sized from a declared <c>Content-Length</c>), and every growth reserves its bytes
/// in the budget first. Binary tensors are later sliced from this buffer without copying. Disposing returns the
/// buffer (small ones to the shared pool; large ones to the GC, so memory comes back after a burst) and the budget.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    /// <summary>The refusal when the heap cannot hold a body buffer although the in-flight budget allowed it.</summary>
    private const string NoMemory = "the server has no memory for this request body now (its heap limit is reached); retry later, or lower --max-inflight-body-bytes";

    private const int InitialBytes = 16 * 1024;

    private byte[]? _buffer;
    private RequestBodyBudget? _budget;
    private long _reserved;
    private bool _recycle;

    /// <summary>This thread's disposed recyclable body, taken by the next recyclable read (no object per inference).</summary>
    [ThreadStatic]
    private static RequestBody? _spare;

    private RequestBody()
    {
    }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads the body. Errors: <see cref="StatusCode.ResourceExhausted"/> over <paramref name="limit"/> (HTTP 413, the
    /// message names <paramref name="limitName"/>), <see cref="StatusCode.Unavailable"/> when the server-wide budget is
    /// spent (503), <see cref="StatusCode.InvalidArgument"/> for bad compressed data or bad chunked framing (400).
    /// </summary>
    /// <param name="request">The HTTP request whose body is read.</param>
    /// <param name="limit">The most bytes the body may have (decompressed).</param>
    /// <param name="limitName">The setting that sets <paramref name="limit"/>, named in the error.</param>
    /// <param name="budget">The server-wide in-flight budget.</param>
    /// <param name="cancellationToken">Abandons the read.</param>
    /// <param name="recycle">
    /// The object goes back to a per-thread spare when disposed and serves a later read: only for an owner that
    /// disposes it exactly once and never touches it afterwards (the infer endpoint: the request's
    /// <see cref="InferenceRequest.BodyOwner"/>, released once).
    /// </param>
    public static async ValueTask<Result<RequestBody>> ReadAsync(HttpRequest request, long limit, string limitName,
        RequestBodyBudget budget, CancellationToken cancellationToken, bool recycle = false)
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
            return new InferenceError(StatusCode.ResourceExhausted, TooLarge(declared, limit, limitName));
        }

        Stream source = request.Body;
        if (compressed)
        {
#pragma warning disable CA2000 // disposed in the finally below (when compressed)
            source = encoding == "gzip"
                ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true)
                : new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
#pragma warning restore CA2000
        }

        // A declared length only makes a small first buffer smaller: the buffer grows as the bytes arrive.
        var initial = !compressed && request.ContentLength is { } cl && cl < InitialBytes ? (int)Math.Max(cl, 1) : InitialBytes;
        initial = (int)Math.Max(1, Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(initial, 16)), maxLength));
        byte[] buffer = [];
        long reserved = 0; // bytes reserved in the budget, always the capacity in use (a pooled array may be longer)
        var capacity = 0;
        var length = 0;
        try
        {
            if (!budget.TryReserve(initial))
            {
                return InferenceError.Unavailable(budget.Exhausted(initial));
            }

            reserved = initial;
            if (!BodyArrays.TryRent(initial, out buffer))
            {
                return InferenceError.Unavailable(NoMemory);
            }

            capacity = initial;
            while (true)
            {
                if (length == capacity)
                {
                    if (capacity >= maxLength)
                    {
                        // One more byte would exceed the limit: probe before failing.
                        var probe = new byte[1];
                        if (await source.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                        {
                            break;
                        }

                        return new InferenceError(StatusCode.ResourceExhausted, TooLarge(null, limit, limitName));
                    }

                    var size = (int)Math.Min((long)capacity * 2, maxLength);
                    if (!budget.TryReserve(size))
                    {
                        return InferenceError.Unavailable(budget.Exhausted(size));
                    }

                    reserved += size;
                    if (!BodyArrays.TryRent(size, out var bigger))
                    {
                        return InferenceError.Unavailable(NoMemory);
                    }

                    buffer.AsSpan(0, length).CopyTo(bigger);
                    BodyArrays.Return(buffer);
                    budget.Release(capacity);
                    reserved -= capacity;
                    buffer = bigger;
                    capacity = size;
                }

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    return InferenceError.InvalidArgument($"request body is not valid {encoding} data: {e.Message}");
                }
                catch (BadHttpRequestException e)
                {
                    // Malformed framing (a chunk size that overflows, a truncated chunk): the client's fault, not ours.
                    return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                        ? new InferenceError(StatusCode.ResourceExhausted, TooLarge(null, limit, limitName))
                        : InferenceError.InvalidArgument($"malformed request body: {e.Message}");
                }
                catch (IOException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // Kestrel reports a chunk size that overflows as an IOException ("Bad chunk size data").
                    return InferenceError.InvalidArgument($"malformed request body: {e.Message}");
                }

                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            RequestBody body;
            if (recycle && _spare is { } spare)
            {
                _spare = null;
                body = spare;
            }
            else
            {
#pragma warning disable CA2000 // returned to the caller inside the Result
                body = new RequestBody();
#pragma warning restore CA2000
            }

            body._buffer = buffer;
            body._budget = budget;
            body._reserved = reserved;
            body._recycle = recycle;
            body.Length = length;
            buffer = [];
            reserved = 0;
            return Result<RequestBody>.Ok(body);
        }
        finally
        {
            if (buffer.Length > 0)
            {
                BodyArrays.Return(buffer);
            }

            budget.Release(reserved);
            if (compressed)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The HTTP status for an error of <see cref="ReadAsync"/>: 413 for a body over its limit.</summary>
    public static int HttpStatus(InferenceError error) =>
        error.Code == StatusCode.ResourceExhausted ? StatusCodes.Status413PayloadTooLarge : HttpErrors.ToHttpStatus(error.Code);

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
        {
            BodyArrays.Return(b);
            Interlocked.Exchange(ref _budget, null)?.Release(_reserved);
            if (_recycle)
            {
                Length = 0;
                _spare = this;
            }
        }
    }

    private static string TooLarge(long? declared, long limit, string limitName) =>
        declared is { } d
            ? $"request body of {d} bytes exceeds the limit of {limit} bytes ({limitName})"
            : $"request body exceeds the limit of {limit} bytes ({limitName})";
}
