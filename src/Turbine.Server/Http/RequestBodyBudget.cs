namespace Turbine.Server.Http;

/// <summary>
/// The server-wide budget of request-body bytes in flight (<c>--max-inflight-body-bytes</c>): every REST body
/// buffer and every gRPC inference message (with its converted tensors) reserves its bytes here before the memory
/// is taken and returns them when the request is done. A reservation that does not fit is refused (HTTP 503 /
/// gRPC RESOURCE_EXHAUSTED), so a burst of large or inflating requests cannot take more than the budget.
/// </summary>
internal sealed class RequestBodyBudget
{
    private long _current;
    private long _peak;

    public RequestBodyBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>The most bytes that may be reserved at once.</summary>
    public long Limit { get; }

    /// <summary>Bytes reserved now.</summary>
    public long CurrentBytes => Volatile.Read(ref _current);

    /// <summary>The most bytes ever reserved at once (for tests and diagnostics).</summary>
    public long PeakBytes => Volatile.Read(ref _peak);

    /// <summary>Reserves <paramref name="bytes"/> when they fit under the limit; false (nothing reserved) otherwise.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        while (true)
        {
            var current = Volatile.Read(ref _current);
            var next = current + bytes;
            if (next > Limit || next < current)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _current, next, current) == current)
            {
                var peak = Volatile.Read(ref _peak);
                while (next > peak && Interlocked.CompareExchange(ref _peak, next, peak) != peak)
                {
                    peak = Volatile.Read(ref _peak);
                }

                return true;
            }
        }
    }

    public void Release(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Interlocked.Add(ref _current, -bytes);
    }

    /// <summary>The message of a refused reservation.</summary>
    public string Exhausted(long wanted) =>
        $"the server is at its limit of {Limit} request-body bytes in flight (--max-inflight-body-bytes); " +
        $"{wanted} more bytes do not fit now: retry later";

    /// <summary>
    /// The default budget: a quarter of the memory the GC may use (its hard limit when one is set, else the machine's
    /// or container's memory), at most 2 GiB and at least 64 MiB. A quarter, not a half: a buffer that doubles holds
    /// its old and new arrays at once, and large arrays fragment the heap, so live bodies need headroom.
    /// </summary>
    public static long DefaultLimit()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Clamp(available / 4, 64L << 20, 2L << 30);
    }
}
