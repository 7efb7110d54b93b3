namespace Turbine.Gateway.Configuration;

/// <summary>
/// What the user wrote in <c>gateway.yaml</c> (camelCase keys), deserialized as is. The loader validates it into
/// an immutable snapshot; a hot reload builds a new snapshot and swaps it atomically, a bad file keeps the old one.
/// </summary>
/// <remarks>
/// Ownership while the gateway is being built: the routing/balancing/traffic sections (<see cref="Pools"/>,
/// <see cref="Models"/>, <see cref="Metrics"/>) belong to the proxy path; <see cref="Auth"/>,
/// <see cref="RateLimits"/>, <see cref="Transforms"/> and <see cref="AccessLog"/> to the edge middleware.
/// </remarks>
public sealed record GatewayConfig
{
    /// <summary>Backend pools by name: each a set of server replicas with a balancing policy and health checks.</summary>
    public Dictionary<string, PoolConfig> Pools { get; init; } = [];

    /// <summary>Routes by model name (<c>*</c> = any model not listed): which pool(s) serve it and the traffic policy.</summary>
    public Dictionary<string, ModelRouteConfig> Models { get; init; } = [];

    public AuthConfig Auth { get; init; } = new();

    public RateLimitConfig RateLimits { get; init; } = new();

    public TransformConfig Transforms { get; init; } = new();

    public AccessLogConfig AccessLog { get; init; } = new();

    public MetricsConfig Metrics { get; init; } = new();

    public LimitsConfig Limits { get; init; } = new();
}
