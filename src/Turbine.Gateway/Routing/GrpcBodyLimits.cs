using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Kestrel's per-request body limits for a gRPC call, taken over by the gateway before it first reads the body.
/// YARP lifts Kestrel's <c>MaxRequestBodySize</c> and <c>MinRequestBodyDataRate</c> for every gRPC-looking request
/// (calls may stream for as long as they like), but it does so when it forwards, and Kestrel makes the size limit
/// read-only once the body has been read: the gateway reads the start of every call to classify it (and buffers
/// unary calls for retries), so YARP found the feature read-only and logged "Unable to disable max request body
/// size" on every call. The gateway lifts both limits itself here, first, as YARP and grpc-dotnet do for streaming
/// calls; its own limits bound the body instead (<c>limits.maxClassificationBytes</c>, <c>limits.maxBufferedBytes</c>,
/// the per-message checks of <see cref="GrpcMessageGuard"/>).
/// </summary>
internal static class GrpcBodyLimits
{
    public static void Lift(HttpContext context)
    {
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
            context.Features.Set<IHttpMaxRequestBodySizeFeature>(Lifted.Instance);
        }
    }

    /// <summary>
    /// What the request's size feature is once lifted: no limit, and asking for none again (YARP's call) is a no-op
    /// that stays true after the body has been read. Asking for a limit afterwards is refused, as Kestrel refuses it.
    /// </summary>
    private sealed class Lifted : IHttpMaxRequestBodySizeFeature
    {
        public static readonly Lifted Instance = new();

        public bool IsReadOnly => false;

        public long? MaxRequestBodySize
        {
            get => null;
            set
            {
                if (value is not null)
                {
                    throw new InvalidOperationException("the gateway lifted Kestrel's body size limit for this gRPC call before reading it; a limit cannot be set again");
                }
            }
        }
    }
}
