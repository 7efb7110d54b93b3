namespace Turbine.Control.Autoscaling;

/// <summary>What the autoscaler observes at one tick; the caller owns the clock.</summary>
/// <param name="Now">The time of this tick (from the caller's <see cref="TimeProvider"/>).</param>
/// <param name="ReadyReplicas">Replicas ready to serve now.</param>
/// <param name="ObservedTotal">
/// The metric summed across the ready replicas for this tick: in-flight requests (from the gateway), requests per
/// second, or CPU/memory from the replicas' process stats, in the unit of <see cref="AutoscalerSettings.Target"/>.
/// </param>
/// <param name="HeldRequests">Requests waiting for a replica (held by the activator while at zero); any wakes the deployment.</param>
internal readonly record struct AutoscalerInput(DateTimeOffset Now, int ReadyReplicas, double ObservedTotal, int HeldRequests = 0);
