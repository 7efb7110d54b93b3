namespace Turbine.Control.Specs;

/// <summary>
/// <c>spec.predictor</c>: scaling, traffic and the model. Defaults are KServe's: one replica minimum, no maximum,
/// concurrency as the metric, unlimited container concurrency.
/// </summary>
public sealed record PredictorSpec
{
    /// <summary>Fewest replicas; 0 lets the deployment scale to zero. KServe's default is 1.</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Most replicas; 0 means no upper bound, as in KServe.</summary>
    public int MaxReplicas { get; init; }

    /// <summary>The per-replica target for <see cref="ScaleMetric"/>; null leaves the autoscaler's default.</summary>
    public int? ScaleTarget { get; init; }

    public ScaleMetric ScaleMetric { get; init; } = ScaleMetric.Concurrency;

    /// <summary>Hard limit of requests in flight per replica; 0 means unlimited.</summary>
    public long ContainerConcurrency { get; init; }

    /// <summary>Percent of traffic for the newest revision during a rollout; null sends all of it there.</summary>
    public int? CanaryTrafficPercent { get; init; }

    /// <summary>Per-request timeout (KServe gives it in seconds); null leaves the server's default.</summary>
    public TimeSpan? Timeout { get; init; }

    public required ModelSpec Model { get; init; }
}
