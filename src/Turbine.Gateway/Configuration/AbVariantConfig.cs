namespace Turbine.Gateway.Configuration;

/// <summary>One variant of an A/B test.</summary>
public sealed record AbVariantConfig
{
    public string? Name { get; init; }

    /// <summary>Pool of the variant; null = the route's own <c>pool</c>.</summary>
    public string? Pool { get; init; }

    /// <summary>Model version (a positive integer) of the variant; null = the one the request names, if any.</summary>
    public string? Version { get; init; }

    /// <summary>Share of callers assigned to this variant (weight / sum of weights). Default 1.</summary>
    public double Weight { get; init; } = 1;
}
