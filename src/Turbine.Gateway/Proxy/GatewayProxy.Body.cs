using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Proxy;

/// <summary>The request body kept for retries, shadows and rewrites (see <see cref="BufferAsync"/>).</summary>
internal sealed partial class GatewayProxy
{
    /// <summary>
    /// Reads a replayable body whole (up to <paramref name="max"/>) into a pooled array the request's lease owns,
    /// growing as bytes arrive (the declared Content-Length only picks the first size, at most 16 KiB) and holding them
    /// against the gateway's <see cref="RequestBufferBudget"/>, into <paramref name="attempt"/>'s body; that stays null
    /// when it must stream (too large, client streaming). True when the budget is spent (nothing kept).
    /// </summary>
    private static async ValueTask<bool> BufferAsync(HttpContext context, Attempt attempt, long max, bool streaming, RequestBufferBudget budget)
    {
        attempt.Body = null;
        if (streaming)
        {
            return false;
        }

        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding") && request.Protocol != "HTTP/2" && request.Protocol != "HTTP/3"))
        {
            attempt.Body = new ArraySegment<byte>([]);
            return false;
        }

        if (request.ContentLength > max)
        {
            return false;
        }

#pragma warning disable CA2000 // the lease belongs to the request: LeaseFor registers it with Response.RegisterForDispose
        var lease = budget.LeaseFor(context);
#pragma warning restore CA2000
        var limit = (int)Math.Min(max, int.MaxValue - 1);

        // Read straight into a pooled array the lease owns (returned when the response ends). The first one is at
        // most 16 KiB whatever Content-Length says; it doubles (by at most 1 MiB) as bytes arrive, each growth reserved
        // from the budget before it is rented. Only the reserved capacity of the rented array is used.
        var buffer = Array.Empty<byte>();
        var capacity = 0;
        var length = 0;
        while (true)
        {
            if (length == capacity)
            {
                if (length > limit)
                {
                    // Too large to keep: forward what was read, then the rest, without retries.
                    request.Body = new ReplayStream(buffer, length, request.Body);
                    return false;
                }

                var next = capacity == 0
                    ? (int)Math.Clamp((request.ContentLength ?? 4095) + 1, 256, 16384) // +1: an exact body ends without a growth
                    : (int)Math.Min((long)capacity + Math.Min(capacity, 1 << 20), Array.MaxLength);
                if (!lease.TryGrow(next - capacity))
                {
                    return true;
                }

                buffer = lease.Grow(next, length);
                capacity = next;
            }

            var n = await request.Body.ReadAsync(buffer.AsMemory(length, capacity - length), context.RequestAborted).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        if (length > limit)
        {
            request.Body = new ReplayStream(buffer, length, request.Body);
            return false;
        }

        attempt.Body = new ArraySegment<byte>(buffer, 0, length);
        return false;
    }
}
