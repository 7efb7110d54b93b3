using Turbine.Control.Runtime;
using Turbine.Control.Storage;

namespace Turbine.Control.Reconciling;

public sealed partial class Reconciler
{
    private const string NoRollout = "no rollout is in progress";

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken) =>
        CommandAsync(name, async (d, now) =>
        {
            if (d.Canary is null)
            {
                return ControlError(ControlErrorKind.Conflict, NoRollout);
            }

            if (d.Canary.Ready == 0)
            {
                return ControlError(ControlErrorKind.Conflict, $"the canary {d.Canary.Model.RevisionId} has no ready replica yet; promote once it is ready");
            }

            await PromoteAsync(d, now, "promoted by hand").ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken) =>
        CommandAsync(name, async (d, now) =>
        {
            if (d.Canary is null)
            {
                return ControlError(ControlErrorKind.Conflict, NoRollout);
            }

            await RollbackAsync(d, now, "rolled back by hand").ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken) =>
        CommandAsync(name, async (d, _) =>
        {
            var stored = await _store.SetPausedAsync(name, paused, cancellationToken).ConfigureAwait(false);
            if (stored.Value is not { } record)
            {
                return stored.Error;
            }

            d.Record = record;
            await EventAsync(name, ControlEventKind.Normal, paused ? "RolloutPaused" : "RolloutResumed",
                paused ? "rollouts hold their split until resumed" : "rollouts continue; the current step's window starts again").ConfigureAwait(false);
            return null;
        }, cancellationToken);

    private static ControlError ControlError(ControlErrorKind kind, string message) => new(kind, message);

    /// <summary>Runs a rollout command under the gate, then one pass for the deployment so status shows its effect.</summary>
    private async Task<ControlResult<DeploymentStatus>> CommandAsync(string name, Func<DeploymentState, DateTimeOffset, Task<ControlError?>> command, CancellationToken cancellationToken)
    {
        var got = await _store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (got.Value is not { } record)
        {
            return ControlResult<DeploymentStatus>.Fail(got.Error!);
        }

        if (!await _gate.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
        {
            return ControlResult<DeploymentStatus>.Fail(ControlErrorKind.Unavailable, "the controller is busy; try again");
        }

        try
        {
            if (!_states.TryGetValue(name, out var d) || d.TornDown)
            {
                return ControlResult<DeploymentStatus>.Fail(ControlErrorKind.Conflict, $"deployment '{name}' has not been reconciled yet; try again in a moment");
            }

            d.Record = record;
            if (await command(d, Now).ConfigureAwait(false) is { } error)
            {
                return ControlResult<DeploymentStatus>.Fail(error);
            }

            await ReconcileAsync(d, d.Record, cancellationToken).ConfigureAwait(false);
            return ControlResult<DeploymentStatus>.Ok(_status[name]);
        }
        finally
        {
            _gate.Release();
        }
    }

    private DeploymentStatus BuildStatus(DeploymentState d, DeploymentRecord record, DateTimeOffset now)
    {
        var replicas = new List<ReplicaStatus>();
        void Add(RevisionState? revision)
        {
            foreach (var slot in revision?.Replicas ?? [])
            {
                replicas.Add(ToStatus(slot, revision!.Crashes));
            }
        }

        Add(d.Stable);
        Add(d.Canary);
        Add(d.Retiring);
        foreach (var (slot, _) in d.Draining)
        {
            replicas.Add(ToStatus(slot, 0));
        }

        var published = d.Published?.Revisions ?? [];
        int Percent(RevisionState? r) => r is null ? 0 : published.FirstOrDefault(x => x.RevisionId == r.Model.RevisionId)?.Percent ?? 0;
        RevisionStatus? Revision(RevisionState? r) => r is null ? null : new RevisionStatus(r.Model.RevisionId, r.Model.Version, Percent(r), r.Ready);

        var ready = d.Revisions.Sum(r => r.Ready) + (d.Retiring?.Ready ?? 0);
        var desired = Math.Max(0, d.Desired);
        var live = d.Revisions.Sum(r => r.Replicas.Count) + (d.Retiring?.Replicas.Count ?? 0);
        var rollout = d.Rollout is { } p
            ? new RolloutStatus(record.Paused ? RolloutState.Paused : RolloutState.Progressing, p.Steps, p.StepIndex, p.StepStartedAt ?? now, p.LastAnalysis)
            : d.LastRollout;

        string? message = d.ResolveError ?? (d.PublishError is null ? null : "the gateway refused the routes: " + d.PublishError);
        DeploymentPhase phase;
        if (d.Stable is null || d.PublishError is not null)
        {
            phase = d.Stable is null && d.ResolveError is null ? DeploymentPhase.Pending : DeploymentPhase.Failed;
        }
        else if (d.Stable.Crashes >= _options.CrashLoopThreshold && d.Stable.Ready == 0)
        {
            phase = DeploymentPhase.Failed;
            message ??= $"revision {d.Stable.Model.RevisionId} is crash-looping: {d.Stable.LastCrash}";
        }
        else if (desired == 0 && live == 0)
        {
            phase = DeploymentPhase.ScaledToZero;
        }
        else if (ready == 0)
        {
            phase = DeploymentPhase.Pending;
        }
        else if (d.Canary is null && d.Retiring is null && d.Stable.Ready == desired && live == desired)
        {
            phase = DeploymentPhase.Ready;
        }
        else
        {
            phase = DeploymentPhase.Progressing;
        }

        var decision = d.LastDecision;
        return new DeploymentStatus(
            d.Name,
            d.ObservedGeneration,
            phase,
            message,
            desired,
            ready,
            replicas,
            Revision(d.Stable),
            Revision(d.Canary),
            rollout,
            decision is null ? null : new AutoscalerStatus(decision.StableValue, decision.PanicValue, decision.PanicMode, desired, decision.Reason),
            record.Paused,
            now);

        static ReplicaStatus ToStatus(ReplicaSlot slot, int restarts)
        {
            var p = slot.Process;
            return new ReplicaStatus(p.ReplicaId, p.RevisionId, p.Version, p.Pid, p.HttpPort, p.GrpcPort, slot.State, restarts, slot.Message, slot.Since);
        }
    }

    /// <summary>
    /// Re-attaches the replicas a previous controller started (kill -9 of the controller leaves them running): each
    /// recorded replica whose process is still the one recorded joins its revision; the others' records are deleted.
    /// A rollout in progress starts again from its first step.
    /// </summary>
    private async Task AdoptAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = Now;
            foreach (var result in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                if (result.Value is not { } record)
                {
                    continue;
                }

                var replicas = await _store.ListReplicasAsync(record.Name, cancellationToken).ConfigureAwait(false);
                var adopted = 0;
                foreach (var replica in replicas.Value ?? [])
                {
                    var tag = ReplicaTag.Read(replica.State);
                    var process = tag is null ? null : _runtime.TryAdopt(replica);
                    if (process is null || tag is not { } t)
                    {
                        await _store.DeleteReplicaAsync(record.Name, replica.ReplicaId, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (!_states.TryGetValue(record.Name, out var d))
                    {
                        d = new DeploymentState(record.Name) { Record = record };
                        _states[record.Name] = d;
                    }

                    var revision = t.Role == RevisionRole.Canary ? d.Canary : d.Stable;
                    if (revision is null || revision.Model.RevisionId != t.RevisionId)
                    {
                        var model = new RevisionModel(t.RevisionId, replica.Version, t.Models, new AdoptedModelLocation());
                        if (t.Role == RevisionRole.Canary && d.Canary is null)
                        {
                            revision = d.Canary = new RevisionState(model);
                            d.Rollout = new RolloutProgress { Steps = CanarySteps(record.Spec) };
                        }
                        else if (d.Stable is null)
                        {
                            revision = d.Stable = new RevisionState(model);
                        }
                        else
                        {
                            revision = d.Retiring ??= new RevisionState(model);
                        }
                    }

                    revision.Replicas.Add(new ReplicaSlot(process, ReplicaState.Starting, now));
                    adopted++;
                }

                // Replicas recorded as a canary with no stable revision left (promoted by a controller that recorded
                // no new role): they are what serves, so they are the stable revision.
                if (adopted > 0 && _states[record.Name] is { Stable: null, Canary: { } orphan } lone)
                {
                    lone.Stable = orphan;
                    lone.Canary = null;
                    lone.Rollout = null;
                }

                if (adopted > 0)
                {
                    await EventAsync(record.Name, ControlEventKind.Normal, "Adopted",
                        $"adopted {adopted} running replica(s) left by the previous controller").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
