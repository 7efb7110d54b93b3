namespace Turbine.Gateway.Routing;

/// <summary>
/// The proxy path's own per-request classification, kept inside <see cref="GatewayRequestInfo"/> (a struct: one object
/// per request for both, not two).
/// </summary>
internal struct GatewayRoute
{
    public RouteKind Kind { get; set; }

    /// <summary>The gRPC method name (<c>ModelInfer</c>…) for gRPC requests, null for REST.</summary>
    public string? GrpcMethod { get; set; }

    /// <summary>True for client-streaming gRPC (<c>ModelStreamInfer</c>): its body is never buffered.</summary>
    public bool Streaming { get; set; }
}
