using System.Net.Http;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// Sends a request body the gateway kept in memory (for retries, shadows, rewrites) with its headers in one socket
/// write. YARP's request content flushes the request headers before it copies the body, so a receiver of a streaming
/// body sees the headers at once; for a body already whole in memory that is one more send per request to the replica
/// and one more read and wake-up for the replica (issue 22, docs/benchmarks.md "Gateway round 4"). YARP refuses a
/// replaced content in its transforms, so the swap is made here, in the client pipeline, for HTTP/1.x only: the
/// proxy offers the body for one request message just before YARP hands that message to the client (same thread, no
/// await between), and the handler swaps in a <see cref="ByteArrayContent"/> with the same content headers only when
/// the message it receives is that very object; otherwise (HTTP/2, nothing offered) YARP's content is sent unchanged.
/// YARP's own content then stays unstarted, so its body-copy checks see no body error (a failed send is a request
/// error, as a connect failure is).
/// </summary>
internal sealed class KeptBodyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    [ThreadStatic]
    private static HttpRequestMessage? t_request;

    [ThreadStatic]
    private static ArraySegment<byte> t_body;

    /// <summary>Offers <paramref name="body"/> for <paramref name="request"/>, the message this thread sends next.</summary>
    public static void Offer(HttpRequestMessage request, ArraySegment<byte> body)
    {
        t_request = request;
        t_body = body;
    }

    /// <summary>Takes what was offered for <paramref name="request"/>, if it was (clearing the offer either way).</summary>
    internal static bool TryTake(HttpRequestMessage request, out ArraySegment<byte> body)
    {
        var offered = t_request;
        body = t_body;
        t_request = null;
        t_body = default;
        return ReferenceEquals(offered, request);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TryTake(request, out var body) && request.Version.Major == 1 && request.Content is { } streamed)
        {
            request.Content = Whole(streamed, body);
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The kept bytes as a content with <paramref name="streamed"/>'s headers.</summary>
    internal static ByteArrayContent Whole(HttpContent streamed, ArraySegment<byte> body)
    {
        var whole = new ByteArrayContent(body.Array ?? [], body.Offset, body.Count);
        foreach (var (name, values) in streamed.Headers.NonValidated)
        {
            if (values.Count == 1)
            {
                whole.Headers.TryAddWithoutValidation(name, values.ToString());
            }
            else
            {
                foreach (var value in values)
                {
                    whole.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        return whole;
    }
}
