using System.Globalization;
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Turbine.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// YARP's default transforms (headers copied, hop-by-hop dropped, path and query appended to the replica's base),
/// plus: a 503 from a replica that is to be retried is held back (not copied to the client) so another replica
/// can answer; a body kept in memory is offered to <see cref="KeptBodyHandler"/> (one write with the headers).
/// </summary>
internal sealed class GatewayTransformer : HttpTransformer
{
    public static readonly GatewayTransformer Instance = new();

    /// <summary>YARP's request transforms, then the kept body (if any) offered for this message (<see cref="KeptBodyHandler"/>).</summary>
    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var copied = base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (copied.IsCompletedSuccessfully && proxyRequest.Content is not null && httpContext.Features.Get<ForwardState>()?.KeptBody is { Count: > 0 } body)
        {
            // Synchronous to here, and YARP calls the client right after on this thread: the handler gets this message.
            KeptBodyHandler.Offer(proxyRequest, body);
        }

        return copied;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var state = httpContext.Features.Get<ForwardState>();
        if (state is { Hold503: true } && proxyResponse?.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            state.Held503 = true;
            return ValueTask.FromResult(false);
        }

        return TransformHeadersAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary>A call whose request stream the edge cut (<see cref="GrpcMessageGuard"/>) ends with the edge's status, not the server's.</summary>
    public override async ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        await base.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (httpContext.Features.Get<GrpcMessageGuard>()?.Refusal is { } refusal
            && httpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
        {
            trailers["grpc-status"] = EdgeErrors.GrpcStatusFor(refusal.Status).ToString(CultureInfo.InvariantCulture);
            trailers["grpc-message"] = EdgeErrors.PercentEncode(refusal.Message);
        }
    }

    private async ValueTask<bool> TransformHeadersAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (httpContext.Features.Get<GrpcMessageGuard>()?.Refusal is { } refusal && httpContext.Response.Headers.ContainsKey("grpc-status"))
        {
            // A trailers-only answer of the server (its status in the headers).
            httpContext.Response.Headers["grpc-status"] = EdgeErrors.GrpcStatusFor(refusal.Status).ToString(CultureInfo.InvariantCulture);
            httpContext.Response.Headers["grpc-message"] = EdgeErrors.PercentEncode(refusal.Message);
        }

        return copy;
    }
}
