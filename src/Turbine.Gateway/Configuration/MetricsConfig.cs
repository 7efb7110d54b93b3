namespace Turbine.Gateway.Configuration;

/// <summary>Section of <see cref="GatewayConfig"/> owned by the proxy path (filled in by its implementation).</summary>
public sealed record MetricsConfig
{
}
