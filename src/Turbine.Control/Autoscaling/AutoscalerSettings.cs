using System.Globalization;

namespace Turbine.Control.Autoscaling;

/// <summary>
/// How one deployment scales: Knative's KPA parameters with Knative's defaults (docs/control.md, "Autoscaler").
/// Immutable; build it from a deployment spec with <see cref="FromSpec"/> and check it with <see cref="Validate"/>.
/// </summary>
internal sealed record AutoscalerSettings
{
    /// <summary>Per-replica target when the spec sets neither <c>scaleTarget</c> nor <c>containerConcurrency</c>.</summary>
    public const int DefaultContainerConcurrency = 100;

    /// <summary>The share of <c>containerConcurrency</c> aimed for (Knative's <c>container-concurrency-target-percentage</c>).</summary>
    public const double TargetUtilization = 0.7;

    /// <summary>Longest stable window accepted (Knative's limit), which also bounds the window's memory.</summary>
    public static readonly TimeSpan MaxStableWindow = TimeSpan.FromHours(1);

    /// <summary>Most buckets in a stable window (<see cref="StableWindow"/> / <see cref="TickInterval"/>): bounds memory.</summary>
    public const int MaxBuckets = 3600;

    /// <summary>What is measured; <see cref="AutoscalerMetric.Concurrency"/> by default.</summary>
    public AutoscalerMetric Metric { get; init; } = AutoscalerMetric.Concurrency;

    /// <summary>The metric value one replica should carry: desired = ceil(average / Target).</summary>
    public double Target { get; init; } = DefaultContainerConcurrency * TargetUtilization;

    /// <summary>Fewest replicas; 0 lets the deployment scale to zero.</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Most replicas; 0 means no upper bound (as in KServe).</summary>
    public int MaxReplicas { get; init; }

    /// <summary>How often the autoscaler decides; also the width of one bucket of the metric window.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The window averaged for the normal (stable) decision.</summary>
    public TimeSpan StableWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The short window averaged to detect bursts (Knative: 10 % of the stable window).</summary>
    public TimeSpan PanicWindow { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Panic starts when the panic window asks for this many times the ready replicas (2.0 = 200 %).</summary>
    public double PanicThreshold { get; init; } = 2.0;

    /// <summary>At most ceil(ready × this) replicas per decision (Knative default 1000).</summary>
    public double MaxScaleUpRate { get; init; } = 1000;

    /// <summary>At least floor(ready / this) replicas per decision (Knative default 2: at most halve per tick).</summary>
    public double MaxScaleDownRate { get; init; } = 2;

    /// <summary>With <see cref="MinReplicas"/> 0, how long past a quiet stable window the last replica is kept.</summary>
    public TimeSpan ScaleToZeroGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The replicas allowed at most: <see cref="MaxReplicas"/>, or <see cref="int.MaxValue"/> when it is 0.</summary>
    public int UpperBound => MaxReplicas == 0 ? int.MaxValue : MaxReplicas;

    /// <summary>
    /// Settings from a deployment spec (KServe names) with the defaults applied: the target is
    /// <paramref name="scaleTarget"/>, else <paramref name="containerConcurrency"/> × 0.7, or 100 × 0.7 when it is 0.
    /// </summary>
    /// <param name="scaleTarget">KServe's <c>scaleTarget</c>: the per-replica target; null for the default.</param>
    /// <param name="scaleMetric">KServe's <c>scaleMetric</c>: concurrency (default), rps, cpu or memory.</param>
    /// <param name="containerConcurrency">Requests one replica may serve at once; 0 = unlimited.</param>
    /// <param name="minReplicas">Fewest replicas; 0 allows scale to zero.</param>
    /// <param name="maxReplicas">Most replicas; 0 = no upper bound.</param>
    /// <exception cref="ArgumentException"><paramref name="scaleMetric"/> names no known metric.</exception>
    public static AutoscalerSettings FromSpec(int? scaleTarget, string? scaleMetric, int containerConcurrency, int minReplicas, int maxReplicas)
    {
        var metric = ParseMetric(scaleMetric) ?? throw new ArgumentException(
            $"scaleMetric: expected one of concurrency, rps, cpu, memory, got '{scaleMetric}'", nameof(scaleMetric));
        var target = scaleTarget is { } t
            ? t
            : (containerConcurrency > 0 ? containerConcurrency : DefaultContainerConcurrency) * TargetUtilization;
        return new AutoscalerSettings { Metric = metric, Target = target, MinReplicas = minReplicas, MaxReplicas = maxReplicas };
    }

    /// <summary>The metric named <paramref name="name"/> (case-insensitive; null or empty = concurrency), or null if unknown.</summary>
    public static AutoscalerMetric? ParseMetric(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        null or "" or "CONCURRENCY" => AutoscalerMetric.Concurrency,
        "RPS" => AutoscalerMetric.Rps,
        "CPU" => AutoscalerMetric.Cpu,
        "MEMORY" => AutoscalerMetric.Memory,
        _ => null,
    };

    /// <summary>Every problem with these settings, each naming the setting, what it must be and what it is; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, FormattableString message)
        {
            if (!ok)
            {
                problems.Add(message.ToString(CultureInfo.InvariantCulture));
            }
        }

        Check(Enum.IsDefined(Metric), $"metric: expected concurrency, rps, cpu or memory, got {(int)Metric}");
        Check(double.IsFinite(Target) && Target > 0, $"target: must be a positive number, got {Target}");
        Check(MinReplicas >= 0, $"minReplicas: must be 0 or more, got {MinReplicas}");
        Check(MaxReplicas >= 0, $"maxReplicas: must be 0 (no bound) or more, got {MaxReplicas}");
        Check(MaxReplicas <= 0 || MinReplicas <= MaxReplicas, $"minReplicas ({MinReplicas}) must not exceed maxReplicas ({MaxReplicas})");
        Check(TickInterval > TimeSpan.Zero, $"tickInterval: must be positive, got {TickInterval}");
        Check(StableWindow > TimeSpan.Zero, $"stableWindow: must be positive, got {StableWindow}");
        Check(StableWindow <= MaxStableWindow, $"stableWindow: must be at most {MaxStableWindow}, got {StableWindow}");
        Check(TickInterval <= TimeSpan.Zero || StableWindow / TickInterval <= MaxBuckets,
            $"stableWindow / tickInterval: at most {MaxBuckets} buckets, got {StableWindow} / {TickInterval}");
        Check(PanicWindow > TimeSpan.Zero, $"panicWindow: must be positive, got {PanicWindow}");
        Check(PanicWindow <= StableWindow, $"panicWindow ({PanicWindow}) must not exceed stableWindow ({StableWindow})");
        Check(TickInterval <= TimeSpan.Zero || PanicWindow >= TickInterval,
            $"panicWindow ({PanicWindow}) must be at least one tick ({TickInterval})");
        Check(double.IsFinite(PanicThreshold) && PanicThreshold > 1, $"panicThreshold: must be more than 1.0 (100 %), got {PanicThreshold}");
        Check(double.IsFinite(MaxScaleUpRate) && MaxScaleUpRate > 1, $"maxScaleUpRate: must be more than 1.0, got {MaxScaleUpRate}");
        Check(double.IsFinite(MaxScaleDownRate) && MaxScaleDownRate > 1, $"maxScaleDownRate: must be more than 1.0, got {MaxScaleDownRate}");
        Check(ScaleToZeroGracePeriod >= TimeSpan.Zero, $"scaleToZeroGracePeriod: must be 0 or more, got {ScaleToZeroGracePeriod}");
        return problems;
    }
}
