namespace Turbine.Control.Specs;

/// <summary>
/// Turbine settings KServe has no field for, read from <c>turbine.dev/…</c> annotations
/// (<see cref="TurbineAnnotations"/> names them). Each property's initial value is the default used when its annotation
/// is absent; docs/control-spec.md lists them with their ranges.
/// </summary>
public sealed record TurbineSettings
{
    public static TurbineSettings Default { get; } = new();

    /// <summary>Canary traffic percents a rollout steps through, increasing, each 1..100, the last 100 (promotion).</summary>
    public IReadOnlyList<int> CanarySteps { get; init; } = [10, 50, 100];

    /// <summary>How long each canary step is observed before the analysis decides.</summary>
    public TimeSpan AnalysisWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Highest canary error rate (0..1) the analysis accepts.</summary>
    public double MaxErrorRate { get; init; } = 0.01;

    /// <summary>Highest canary p99 latency divided by the stable revision's p99 that the analysis accepts (&gt; 0).</summary>
    public double MaxP99LatencyRatio { get; init; } = 1.5;

    /// <summary>Requests the activator holds while a scaled-to-zero deployment starts (&gt; 0).</summary>
    public int ActivatorQueueSize { get; init; } = 100;

    /// <summary>Longest a request waits in the activator for a replica before it is refused.</summary>
    public TimeSpan ActivatorMaxWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a deployment stays idle at one replica before it scales to zero (with minReplicas 0).</summary>
    public TimeSpan ScaleToZeroGrace { get; init; } = TimeSpan.FromSeconds(30);
}
