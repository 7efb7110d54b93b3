using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Proxy;

/// <summary>Filtering of server-wide metadata answers (<see cref="MetadataFilter"/>) on the proxy path.</summary>
internal sealed partial class GatewayProxy
{
    /// <summary>Writes the buffered answer cut down to the models the caller may see (or a 502 when it cannot be read).</summary>
    private static async Task WriteFilteredAsync(HttpContext context, BoundedResponseBuffer filter, bool grpc, AttemptResult result)
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
}
