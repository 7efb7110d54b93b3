namespace Turbine.Gateway.Configuration;

/// <summary>One target of a weighted split: the share of requests is weight / sum of weights.</summary>
public sealed record SplitTargetConfig
{
    public string? Pool { get; init; }

    public double Weight { get; init; }
}
