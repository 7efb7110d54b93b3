namespace Turbine.Control.Reconciling;

/// <summary>Where a deployment stands, as the reconciler last saw it.</summary>
public enum DeploymentPhase
{
    /// <summary>Applied, nothing ready yet.</summary>
    Pending,

    /// <summary>The desired replicas of the stable revision are ready and routed.</summary>
    Ready,

    /// <summary>Scaling or a rollout is under way.</summary>
    Progressing,

    /// <summary>No replica runs (minReplicas 0 and no traffic); the activator holds the next request.</summary>
    ScaledToZero,

    /// <summary>Nothing can serve it (the storageUri never resolved, every replica crash-loops); see the message.</summary>
    Failed,
}

/// <summary>The state of one replica.</summary>
public enum ReplicaState
{
    Starting,
    Ready,
    Draining,
    Crashed,
}

/// <summary>One replica as status shows it.</summary>
/// <param name="Id">The replica id.</param>
/// <param name="RevisionId">The revision it serves.</param>
/// <param name="Version">The model version it serves.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="HttpPort">Its REST port (loopback).</param>
/// <param name="GrpcPort">Its gRPC port (loopback).</param>
/// <param name="State">Its state.</param>
/// <param name="Restarts">How many times a replica in this slot was restarted after crashing.</param>
/// <param name="Message">Why it is not ready, or how it last exited.</param>
/// <param name="Since">When it entered <paramref name="State"/>.</param>
public sealed record ReplicaStatus(
    string Id, string RevisionId, string Version, int Pid, int HttpPort, int GrpcPort, ReplicaState State, int Restarts, string? Message, DateTimeOffset Since);

/// <summary>A revision of a deployment and its share of the traffic.</summary>
/// <param name="RevisionId">The revision.</param>
/// <param name="Version">Its model version.</param>
/// <param name="TrafficPercent">Its share of requests now.</param>
/// <param name="ReadyReplicas">Its ready replicas.</param>
public sealed record RevisionStatus(string RevisionId, string Version, int TrafficPercent, int ReadyReplicas);

/// <summary>The state of a rollout.</summary>
public enum RolloutState
{
    /// <summary>The canary is at a step and its analysis window runs.</summary>
    Progressing,

    /// <summary>Paused by a person: the current split holds until resumed, promoted or rolled back.</summary>
    Paused,

    /// <summary>The canary took all traffic and became the stable revision.</summary>
    Promoted,

    /// <summary>The canary was removed and the stable revision took all traffic back.</summary>
    RolledBack,
}

/// <summary>A rollout from the stable revision to a canary.</summary>
/// <param name="State">Where it stands.</param>
/// <param name="Steps">The canary percents it steps through.</param>
/// <param name="StepIndex">The current step (index into <paramref name="Steps"/>).</param>
/// <param name="StepStartedAt">When the current step's analysis window began.</param>
/// <param name="LastAnalysis">The last analysis' verdict and figures (canary vs stable error rate and p99).</param>
public sealed record RolloutStatus(RolloutState State, IReadOnlyList<int> Steps, int StepIndex, DateTimeOffset StepStartedAt, string? LastAnalysis);

/// <summary>The autoscaler's inputs and decision at its last tick.</summary>
/// <param name="StableValue">The metric averaged over the stable window.</param>
/// <param name="PanicValue">The metric averaged over the panic window.</param>
/// <param name="PanicMode">Whether it is in panic mode.</param>
/// <param name="DesiredReplicas">Replicas it wants.</param>
/// <param name="Reason">Why.</param>
public sealed record AutoscalerStatus(double StableValue, double PanicValue, bool PanicMode, int DesiredReplicas, string Reason);

/// <summary>A deployment's observed state; <see cref="ObservedGeneration"/> says which applied generation it reflects.</summary>
public sealed record DeploymentStatus(
    string Name,
    long ObservedGeneration,
    DeploymentPhase Phase,
    string? Message,
    int DesiredReplicas,
    int ReadyReplicas,
    IReadOnlyList<ReplicaStatus> Replicas,
    RevisionStatus? Stable,
    RevisionStatus? Canary,
    RolloutStatus? Rollout,
    AutoscalerStatus? Autoscaler,
    bool Paused,
    DateTimeOffset UpdatedAt);
