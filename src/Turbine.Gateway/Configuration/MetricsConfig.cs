namespace Turbine.Gateway.Configuration;

/// <summary>The gateway's own Prometheus metrics, served on its HTTP port.</summary>
public sealed record MetricsConfig : IValidatableConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>Path of the scrape endpoint. Default <c>/metrics</c>.</summary>
    public string Path { get; init; } = "/metrics";

    public void Validate(string path, ConfigValidationContext context)
    {
        if (!Path.StartsWith('/') || Path.StartsWith("/v2", StringComparison.Ordinal) || Path.StartsWith("/v1", StringComparison.Ordinal) || Path.StartsWith("/admin", StringComparison.Ordinal))
        {
            context.Error(path + ".path", $"must start with '/' and not collide with /v1, /v2 or /admin, got '{Path}'");
        }
    }
}
