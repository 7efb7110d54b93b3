namespace Turbine.Control.Autoscaling;

/// <summary>
/// What the autoscaler remembers between ticks for one deployment; immutable, each
/// <see cref="KpaAutoscaler.Decide"/> returns the next one.
/// </summary>
/// <param name="Window">The observed metric, bucketed per tick over the stable window.</param>
/// <param name="FirstTick">When the first tick was seen; null before it (the quiet period of a deployment never used starts here).</param>
/// <param name="LastTraffic">When traffic (a non-zero metric or held requests) was last seen; null if never.</param>
/// <param name="PanicSince">When panic mode began; null when not panicking.</param>
/// <param name="LastOverThreshold">When the panic window last asked for the threshold or more; null when not panicking.</param>
/// <param name="MaxPanicReplicas">The most replicas asked for in this panic (panic never scales below it).</param>
internal sealed record AutoscalerState(
    MetricWindow Window,
    DateTimeOffset? FirstTick,
    DateTimeOffset? LastTraffic,
    DateTimeOffset? PanicSince,
    DateTimeOffset? LastOverThreshold,
    int MaxPanicReplicas)
{
    /// <summary>The state of a deployment before its first tick.</summary>
    public static AutoscalerState Initial(AutoscalerSettings settings) => new(MetricWindow.For(settings), null, null, null, null, 0);

    /// <summary>Whether panic mode is on.</summary>
    public bool InPanic => PanicSince is not null;
}
