namespace Turbine.Gateway.Configuration;

/// <summary>
/// One target of a weighted split: the share of requests is weight / sum of weights. A target names a pool, a model
/// version, or both; without a pool it is the route's own <c>pool</c>.
/// </summary>
public sealed record SplitTargetConfig
{
    public string? Pool { get; init; }

    /// <summary>Model version (a positive integer) inference requests are sent to; null = the one the request names, if any.</summary>
    public string? Version { get; init; }

    public double Weight { get; init; }
}
