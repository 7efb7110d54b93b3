namespace Turbine.Gateway.Routing;

/// <summary>The proxy path's own per-request classification (a feature next to <see cref="GatewayRequestInfo"/>).</summary>
internal sealed class GatewayRoute
{
    public RouteKind Kind { get; set; }

    /// <summary>The gRPC method name (<c>ModelInfer</c>…) for gRPC requests, null for REST.</summary>
    public string? GrpcMethod { get; set; }

    /// <summary>True for client-streaming gRPC (<c>ModelStreamInfer</c>): its body is never buffered.</summary>
    public bool Streaming { get; set; }
}
