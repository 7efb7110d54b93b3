namespace Turbine.Gateway.Routing;

/// <summary>What a request asks for; authorisation maps claims and key scopes to these.</summary>
public enum GatewayOperation
{
    /// <summary>Server-wide reads answered by the gateway: <c>/v2</c>, <c>/v2/health/*</c>, server metadata.</summary>
    Server,

    /// <summary>Model metadata, config, readiness, statistics.</summary>
    Metadata,

    /// <summary>Inference: REST <c>/infer</c>, KServe v1 <c>:predict</c>, gRPC ModelInfer / ModelStreamInfer.</summary>
    Infer,

    /// <summary>Model repository and other management calls (load, unload, logging, trace settings) and the gateway's own admin API.</summary>
    Admin,
}
