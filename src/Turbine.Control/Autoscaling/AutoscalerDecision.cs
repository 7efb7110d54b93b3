namespace Turbine.Control.Autoscaling;

/// <summary>What the autoscaler decided at one tick, with the inputs that led there (for metrics and events).</summary>
/// <param name="DesiredReplicas">Replicas wanted, within [minReplicas, maxReplicas] and the rate limits.</param>
/// <param name="StableValue">The metric averaged over the stable window (total across replicas).</param>
/// <param name="PanicValue">The metric averaged over the panic window (total across replicas).</param>
/// <param name="PanicMode">Whether the autoscaler is in panic mode (scales up only).</param>
/// <param name="ScaleToZeroAllowed">Whether the last replica may stop now (minReplicas 0, quiet for stable window + grace).</param>
/// <param name="Reason">One line saying why, for events and logs.</param>
internal sealed record AutoscalerDecision(
    int DesiredReplicas,
    double StableValue,
    double PanicValue,
    bool PanicMode,
    bool ScaleToZeroAllowed,
    string Reason);
