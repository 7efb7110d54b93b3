namespace Turbine.Gateway.Configuration;

/// <summary>
/// Active health checks: every <see cref="IntervalMs"/> the gateway asks each replica <c>GET /v2/health/ready</c>
/// and, for each model routed to the pool, <c>GET /v2/models/{m}/ready</c>. A replica that fails is skipped
/// (for all models, or for that model) until a later check passes.
/// </summary>
public sealed record HealthCheckConfig : IValidatableConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>Time between checks, milliseconds. Default 5000.</summary>
    public int IntervalMs { get; init; } = 5000;

    /// <summary>Timeout of one check, milliseconds. Default 2000.</summary>
    public int TimeoutMs { get; init; } = 2000;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (IntervalMs < 100)
        {
            context.Error(path + ".intervalMs", $"must be at least 100, got {IntervalMs}");
        }

        if (TimeoutMs < 1)
        {
            context.Error(path + ".timeoutMs", $"must be positive, got {TimeoutMs}");
        }
    }
}
