namespace Turbine.Gateway.Configuration;

/// <summary>The gateway's own Prometheus metrics, served on its HTTP port.</summary>
public sealed record MetricsConfig : IValidatableConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>Path of the scrape endpoint. Default <c>/metrics</c>.</summary>
    public string Path { get; init; } = "/metrics";

    /// <summary>
    /// Most distinct model label values. A model gets its own label when its route names it or a server answered it
    /// successfully; other names (unknown models) count under <c>_unknown</c>, models past this cap under
    /// <c>_other</c>. Default 1000.
    /// </summary>
    public int MaxModelLabels { get; init; } = 1000;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (MaxModelLabels < 1)
        {
            context.Error(path + ".maxModelLabels", $"must be at least 1, got {MaxModelLabels}");
        }

        if (!Path.StartsWith('/') || Path.StartsWith("/v2", StringComparison.Ordinal) || Path.StartsWith("/v1", StringComparison.Ordinal) || Path.StartsWith("/admin", StringComparison.Ordinal))
        {
            context.Error(path + ".path", $"must start with '/' and not collide with /v1, /v2 or /admin, got '{Path}'");
        }
    }
}
