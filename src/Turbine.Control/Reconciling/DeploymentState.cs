using Turbine.Control.Autoscaling;
using Turbine.Control.Runtime;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Reconciling;

/// <summary>The role of a revision in a deployment; stored with each replica so a restarted controller knows it.</summary>
internal enum RevisionRole
{
    Stable,
    Canary,
}

/// <summary>One replica the reconciler tracks. Mutated only by the reconciler while it holds its gate.</summary>
internal sealed class ReplicaSlot(ReplicaProcess process, ReplicaState state, DateTimeOffset since)
{
    public ReplicaProcess Process { get; } = process;

    public ReplicaState State { get; set; } = state;

    public DateTimeOffset Since { get; set; } = since;

    public string? Message { get; set; }

    /// <summary>When it became ready (for the crash-count reset); null while not ready.</summary>
    public DateTimeOffset? ReadySince { get; set; }
}

/// <summary>One revision of a deployment with its replicas and crash history.</summary>
internal sealed class RevisionState(RevisionModel model)
{
    public RevisionModel Model { get; set; } = model;

    public List<ReplicaSlot> Replicas { get; } = [];

    /// <summary>Crashes (exits, start timeouts) since a replica last stayed ready for the reset period.</summary>
    public int Crashes { get; set; }

    /// <summary>No replica of this revision starts before this time (exponential backoff after crashes).</summary>
    public DateTimeOffset BackoffUntil { get; set; }

    /// <summary>The last crash's message.</summary>
    public string? LastCrash { get; set; }

    public int Ready => Replicas.Count(r => r.State == ReplicaState.Ready);

    public IEnumerable<ReplicaSlot> ReadySlots => Replicas.Where(r => r.State == ReplicaState.Ready);
}

/// <summary>A rollout in progress (or paused) from the stable revision to the canary.</summary>
internal sealed class RolloutProgress
{
    public required IReadOnlyList<int> Steps { get; init; }

    public int StepIndex { get; set; }

    /// <summary>When the current step's window began; null until the canary is ready and routed.</summary>
    public DateTimeOffset? StepStartedAt { get; set; }

    public RevisionTraffic? CanaryAtStepStart { get; set; }

    public RevisionTraffic? StableAtStepStart { get; set; }

    public string? LastAnalysis { get; set; }

    public int Percent => Steps[StepIndex];
}

/// <summary>Everything the reconciler knows of one deployment. Mutated only while the reconciler holds its gate.</summary>
internal sealed class DeploymentState(string name)
{
    public string Name { get; } = name;

    public DeploymentRecord? Record { get; set; }

    public long ObservedGeneration { get; set; }

    public RevisionState? Stable { get; set; }

    public RevisionState? Canary { get; set; }

    public RolloutProgress? Rollout { get; set; }

    /// <summary>The last rollout's outcome, kept for status after the canary is gone.</summary>
    public RolloutStatus? LastRollout { get; set; }

    /// <summary>A revision rolled back: it is not tried again until the storageUri resolves to something else.</summary>
    public string? RejectedRevisionId { get; set; }

    /// <summary>
    /// The revision the stable replaced (after a promotion, or replicas adopted after a controller restart that serve
    /// neither revision): it keeps a share of the traffic until the stable has its replicas ready, then drains.
    /// </summary>
    public RevisionState? Retiring { get; set; }

    /// <summary>Replicas removed from the gateway and stopping.</summary>
    public List<(ReplicaSlot Slot, Task Stopping)> Draining { get; } = [];

    /// <summary>Whether any replica has been ready; until then a deployment keeps one replica (Knative's initial scale 1).</summary>
    public bool EverReady { get; set; }

    /// <summary>Deleted: its replicas are stopping; a new apply of the same name starts a fresh state.</summary>
    public bool TornDown { get; set; }

    public DateTimeOffset NextResolve { get; set; }

    public string? ResolveError { get; set; }

    public string? PublishError { get; set; }

    public DeploymentRoutes? Published { get; set; }

    public KpaAutoscaler? Autoscaler { get; set; }

    public AutoscalerState? AutoscalerState { get; set; }

    public AutoscalerDecision? LastDecision { get; set; }

    public DateTimeOffset NextTick { get; set; }

    public int Desired { get; set; } = -1;

    /// <summary>The previous tick's time and cumulative requests (rps) and CPU time per pid (cpu).</summary>
    public (DateTimeOffset At, long Requests)? LastRequests { get; set; }

    public Dictionary<int, (DateTimeOffset At, TimeSpan Cpu)> LastCpu { get; } = [];

    /// <summary>Keys of warnings already recorded as events, so a condition that persists is reported once.</summary>
    public HashSet<string> Reported { get; } = new(StringComparer.Ordinal);

    public int NextReplicaNumber { get; set; }

    public IEnumerable<RevisionState> Revisions
    {
        get
        {
            if (Stable is not null)
            {
                yield return Stable;
            }

            if (Canary is not null)
            {
                yield return Canary;
            }
        }
    }
}

/// <summary>
/// The location of a revision known only from replicas adopted after a controller restart: they can be routed and
/// stopped, but no new replica of it starts until the storageUri resolves to it again.
/// </summary>
internal sealed record AdoptedModelLocation : ModelLocation;
