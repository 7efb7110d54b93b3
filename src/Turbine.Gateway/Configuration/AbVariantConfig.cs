namespace Turbine.Gateway.Configuration;

/// <summary>One variant of an A/B test.</summary>
public sealed record AbVariantConfig
{
    public string? Name { get; init; }

    public string? Pool { get; init; }

    /// <summary>Share of callers assigned to this variant (weight / sum of weights). Default 1.</summary>
    public double Weight { get; init; } = 1;
}
