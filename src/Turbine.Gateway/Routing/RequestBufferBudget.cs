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

/// <summary>Bytes one request holds of the <see cref="RequestBufferBudget"/>; given back on dispose.</summary>
internal sealed class BufferLease(RequestBufferBudget budget) : IDisposable
{
    private long _bytes;

    public bool TryGrow(long bytes)
    {
        if (!budget.TryReserve(bytes))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, bytes);
        return true;
    }

    public void Dispose() => budget.Release(Interlocked.Exchange(ref _bytes, 0));
}
