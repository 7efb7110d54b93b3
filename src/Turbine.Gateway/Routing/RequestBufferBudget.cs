using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Request-body bytes held in memory by all requests together (<c>limits.maxBufferedBytes</c>): classification
/// reads and bodies kept for retries reserve what they hold as it arrives and release it when the request ends.
/// </summary>
internal sealed class RequestBufferBudget(IGatewayConfigSource config)
{
    private long _held;

    /// <summary>Bytes held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    public long Limit => config.Current.Limits.MaxBufferedBytes;

    /// <summary>Takes <paramref name="bytes"/> from the budget; false (nothing taken) when that would go over it.</summary>
    public bool TryReserve(long bytes)
    {
        var limit = Limit;
        while (true)
        {
            var held = Interlocked.Read(ref _held);
            if (held + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _held, held + bytes, held) == held)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);

    /// <summary>The request's share of the budget, released when the request ends.</summary>
    public BufferLease LeaseFor(HttpContext context)
    {
        if (context.Features.Get<BufferLease>() is { } lease)
        {
            return lease;
        }

        lease = new BufferLease(this);
        context.Features.Set(lease);
        context.Response.RegisterForDispose(lease);
        return lease;
    }

    /// <summary>The 503 message of a request refused for want of budget.</summary>
    public string Exhausted() =>
        $"the gateway is holding its limit of {Limit} request-body bytes in memory (limits.maxBufferedBytes); retry later";
}

/// <summary>
/// Bytes one request holds of the <see cref="RequestBufferBudget"/>, and the pooled array its replayable body is kept
/// in (<see cref="Grow"/>); both given back on dispose, when the response has ended.
/// </summary>
internal sealed class BufferLease(RequestBufferBudget budget) : IDisposable
{
    private long _bytes;
    private byte[]? _body;
    private byte[]? _classification;

    /// <summary>
    /// A pooled array of at least <paramref name="size"/> bytes holding the first <paramref name="keep"/> bytes of the
    /// previous one of the same use (which goes back to the pool): the body kept for retries, or (with
    /// <paramref name="classification"/>) the start of a gRPC message read to find the model. The caller reserves the
    /// bytes with <see cref="TryGrow"/> first; the array is valid until the lease is disposed and only the bytes the
    /// caller wrote mean anything (a pooled array holds old data beyond them).
    /// </summary>
    public byte[] Grow(int size, int keep, bool classification = false)
    {
        ref var slot = ref classification ? ref _classification : ref _body;
        var next = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        if (slot is { } previous)
        {
            previous.AsSpan(0, keep).CopyTo(next);
            System.Buffers.ArrayPool<byte>.Shared.Return(previous);
        }

        slot = next;
        return next;
    }

    public bool TryGrow(long bytes)
    {
        if (!budget.TryReserve(bytes))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, bytes);
        return true;
    }

    public void Dispose()
    {
        budget.Release(Interlocked.Exchange(ref _bytes, 0));
        if (Interlocked.Exchange(ref _body, null) is { } body)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(body);
        }

        if (Interlocked.Exchange(ref _classification, null) is { } start)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(start);
        }
    }
}
