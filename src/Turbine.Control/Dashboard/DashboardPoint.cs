namespace Turbine.Control.Dashboard;

/// <summary>
/// One sample of a deployment (every <see cref="DashboardOptions.SampleInterval"/>): the autoscaler's inputs and decision,
/// replicas, and the traffic of the interval before it, from the gateway (requests, errors, latency per revision) and the
/// servers' statistics (batch size, queue time). Rates are per second over the interval; latencies in milliseconds.
/// </summary>
public sealed record DashboardPoint(
    DateTimeOffset At,
    double? Observed,
    double? Panic,
    bool PanicMode,
    double Target,
    int Desired,
    int Ready,
    int Held,
    double Qps,
    double ErrorRate,
    double? P50Ms,
    double? P99Ms,
    double? StableErrorRate,
    double? StableP99Ms,
    double? CanaryQps,
    double? CanaryErrorRate,
    double? CanaryP99Ms,
    double? BatchSize,
    double? QueueMs);
