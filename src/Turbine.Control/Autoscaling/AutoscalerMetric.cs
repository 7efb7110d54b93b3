namespace Turbine.Control.Autoscaling;

/// <summary>
/// What the autoscaler measures (KServe's <c>scaleMetric</c>). Every metric uses the same math: the caller passes the
/// total across ready replicas each tick, and the target is per replica.
/// </summary>
internal enum AutoscalerMetric
{
    /// <summary>Requests in flight (the gateway's in-flight count per replica, summed); the default.</summary>
    Concurrency,

    /// <summary>Requests per second arriving at the replicas.</summary>
    Rps,

    /// <summary>CPU use from the replicas' process stats (the target is per replica, in the same unit).</summary>
    Cpu,

    /// <summary>Memory use from the replicas' process stats (the target is per replica, in the same unit).</summary>
    Memory,
}
