namespace Turbine.Gateway.Configuration;

/// <summary>
/// Shadow traffic: a copy of each request (REST, or unary gRPC ModelInfer; bodies buffered whole) goes to <see cref="Pool"/> asynchronously
/// on a bounded queue; its answer is discarded, its latency, errors and output differences are recorded.
/// </summary>
public sealed record ShadowConfig
{
    public string? Pool { get; init; }

    /// <summary>Share of requests mirrored, 0..100. Default 100.</summary>
    public double Percent { get; init; } = 100;
}
