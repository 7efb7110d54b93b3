using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// YARP's default transforms (headers copied, hop-by-hop dropped, path and query appended to the replica's base),
/// plus: a 503 from a replica that is to be retried is held back (not copied to the client) so another replica
/// can answer.
/// </summary>
internal sealed class GatewayTransformer : HttpTransformer
{
    public static readonly GatewayTransformer Instance = new();

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var state = httpContext.Features.Get<ForwardState>();
        if (state is { Hold503: true } && proxyResponse?.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            state.Held503 = true;
            return ValueTask.FromResult(false);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
