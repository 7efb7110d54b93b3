namespace Turbine.Gateway.Configuration;

/// <summary>Section of <see cref="GatewayConfig"/> owned by the edge middleware (filled in by its implementation).</summary>
public sealed record AccessLogConfig
{
}
