using System.Globalization;
using Turbine.Control.Autoscaling;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Reconciling;

public sealed partial class Reconciler
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One deployment, one pass: resolve → probe → autoscale → rollout → scale → publish → status.</summary>
    private async Task ReconcileAsync(DeploymentState d, DeploymentRecord record, CancellationToken cancellationToken)
    {
        var now = Now;
        var generationChanged = d.ObservedGeneration != record.Generation;
        d.Record = record;
        var spec = record.Spec;

        if (generationChanged || now >= d.NextResolve)
        {
            d.NextResolve = now + _options.ResolveInterval;
            var resolved = await _resolver.ResolveAsync(spec, cancellationToken).ConfigureAwait(false);
            if (resolved.Value is { } model)
            {
                ClearReported(d, "resolve");
                d.ResolveError = null;
                await OnResolvedAsync(d, model, now).ConfigureAwait(false);
            }
            else
            {
                d.ResolveError = $"storageUri '{spec.Predictor.Model.StorageUri.Original}' does not resolve: {resolved.Error!.Message}"
                                 + (d.Stable is null ? string.Empty : $"; revision {d.Stable.Model.Version} keeps serving");
                await WarnOnceAsync(d, "resolve", "ResolveFailed", d.ResolveError).ConfigureAwait(false);
            }

            if (generationChanged)
            {
                await EventAsync(d.Name, ControlEventKind.Normal, "Reconciling", $"generation {record.Generation} observed").ConfigureAwait(false);
            }

            d.ObservedGeneration = record.Generation;
        }

        await ProbeAsync(d, now, cancellationToken).ConfigureAwait(false);
        var snapshot = _traffic.Snapshot(d.Name);
        await AutoscaleAsync(d, spec, snapshot, now).ConfigureAwait(false);
        await StepRolloutAsync(d, spec, snapshot, now).ConfigureAwait(false);
        await ScaleAsync(d, spec, snapshot, now, cancellationToken).ConfigureAwait(false);
        PublishRoutes(d, spec);
        StartStops(d);
        await RecordPublishErrorAsync(d).ConfigureAwait(false);
        _status[d.Name] = BuildStatus(d, record, now);
    }

    private async Task OnResolvedAsync(DeploymentState d, RevisionModel model, DateTimeOffset now)
    {
        if (d.Stable is null || d.Stable.Model.Location is AdoptedModelLocation && d.Stable.Model.RevisionId == model.RevisionId)
        {
            if (d.Stable is null)
            {
                d.Stable = new RevisionState(model);
                await EventAsync(d.Name, ControlEventKind.Normal, "RevisionCreated", $"serving revision {model.RevisionId} (version {model.Version})").ConfigureAwait(false);
            }
            else
            {
                d.Stable.Model = model;
            }

            return;
        }

        if (model.RevisionId == d.Stable.Model.RevisionId)
        {
            d.Stable.Model = model;
            d.RejectedRevisionId = null;
            if (d.Canary is not null)
            {
                await RollbackAsync(d, now, $"the storageUri resolves to the stable revision {model.RevisionId} again").ConfigureAwait(false);
            }

            return;
        }

        if (d.Canary is not null && model.RevisionId == d.Canary.Model.RevisionId)
        {
            d.Canary.Model = model;
            return;
        }

        if (model.RevisionId == d.RejectedRevisionId)
        {
            await WarnOnceAsync(d, "rejected", "RolloutHeld",
                $"revision {model.RevisionId} was rolled back; version {d.Stable.Model.Version} keeps serving until the storageUri resolves to another revision").ConfigureAwait(false);
            return;
        }

        if (d.Canary is not null)
        {
            await EventAsync(d.Name, ControlEventKind.Normal, "CanaryReplaced",
                $"revision {model.RevisionId} replaces canary {d.Canary.Model.RevisionId} before it finished").ConfigureAwait(false);
            foreach (var slot in d.Canary.Replicas.ToList())
            {
                Drain(d, d.Canary, slot, "replaced by a newer canary", now);
            }
        }

        var steps = CanarySteps(d.Record!.Spec);
        d.Canary = new RevisionState(model);
        d.Rollout = new RolloutProgress { Steps = steps };
        ClearReported(d, "rejected");
        await EventAsync(d.Name, ControlEventKind.Normal, "RolloutStarted",
            $"revision {model.RevisionId} (version {model.Version}) rolls out over {string.Join(" -> ", steps)} % of the traffic; stable is {d.Stable.Model.RevisionId}").ConfigureAwait(false);
    }

    /// <summary>
    /// The steps of a rollout: the <c>turbine.dev/canary-steps</c> annotation when present, else KServe's
    /// <c>canaryTrafficPercent</c> then 100, else straight to 100 (a replacement with no analysis, as KServe).
    /// </summary>
    internal static IReadOnlyList<int> CanarySteps(DeploymentSpec spec)
    {
        if (spec.Annotations.ContainsKey(TurbineAnnotations.CanarySteps))
        {
            return spec.Turbine.CanarySteps;
        }

        return spec.Predictor.CanaryTrafficPercent is { } p and > 0 and < 100 ? [p, 100] : [100];
    }

    private async Task ProbeAsync(DeploymentState d, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var revisions = d.Revisions.ToList();
        if (d.Retiring is not null)
        {
            revisions.Add(d.Retiring);
        }

        var probes = new List<(RevisionState Revision, ReplicaSlot Slot, Task<ReplicaProbe> Probe)>();
        foreach (var revision in revisions)
        {
            foreach (var slot in revision.Replicas)
            {
                probes.Add((revision, slot, _runtime.ProbeAsync(slot.Process, cancellationToken)));
            }
        }

        foreach (var (revision, slot, task) in probes)
        {
            ReplicaProbe probe;
            try
            {
                probe = await task.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                probe = new ReplicaProbe(ReplicaProbeState.Starting, "probe failed: " + e.Message);
            }

            switch (probe.State)
            {
                case ReplicaProbeState.Ready:
                    if (slot.State != ReplicaState.Ready)
                    {
                        slot.State = ReplicaState.Ready;
                        d.EverReady = true;
                        slot.Since = now;
                        slot.ReadySince = now;
                        slot.Message = null;
                        var took = now - slot.Process.StartedAt;
                        await EventAsync(d.Name, ControlEventKind.Normal, "ReplicaReady",
                            string.Format(Invariant, "replica {0} (revision {1}, pid {2}, port {3}) ready {4:0.0} s after its start",
                                slot.Process.ReplicaId, revision.Model.RevisionId, slot.Process.Pid, slot.Process.HttpPort, took.TotalSeconds)).ConfigureAwait(false);
                    }
                    else if (slot.ReadySince is { } since && now - since >= _options.CrashResetAfter && revision.Crashes > 0)
                    {
                        revision.Crashes = 0;
                        ClearReported(d, "crashloop-" + revision.Model.RevisionId);
                    }

                    break;

                case ReplicaProbeState.Starting:
                    if (slot.State == ReplicaState.Ready)
                    {
                        // Ready before, not now: off the gateway until it is again (or the start timeout replaces it).
                        slot.State = ReplicaState.Starting;
                        slot.Since = now;
                        slot.ReadySince = null;
                    }

                    slot.Message = probe.Message;
                    if (now - slot.Since >= _options.StartTimeout)
                    {
                        var why = string.Format(Invariant, "replica {0} not ready within {1:0} s ({2}); replacing it",
                            slot.Process.ReplicaId, _options.StartTimeout.TotalSeconds, probe.Message ?? "no reason given");
                        await CrashedAsync(d, revision, why, now).ConfigureAwait(false);
                        Drain(d, revision, slot, why, now);
                    }

                    break;

                default:
                    revision.Replicas.Remove(slot);
                    await _store.DeleteReplicaAsync(d.Name, slot.Process.ReplicaId, CancellationToken.None).ConfigureAwait(false);
                    await CrashedAsync(d, revision,
                        $"replica {slot.Process.ReplicaId} (pid {slot.Process.Pid}) exited: {probe.Message ?? "no reason given"}", now).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task CrashedAsync(DeploymentState d, RevisionState revision, string message, DateTimeOffset now)
    {
        revision.Crashes++;
        revision.LastCrash = message;
        var exponent = Math.Min(revision.Crashes - 1, 20);
        var delay = TimeSpan.FromTicks(Math.Min(_options.CrashBackoffMax.Ticks, _options.CrashBackoffBase.Ticks * (1L << exponent)));
        revision.BackoffUntil = now + delay;
        await EventAsync(d.Name, ControlEventKind.Warning, "ReplicaCrashed",
            string.Format(Invariant, "{0}; next start in {1:0.#} s (crash {2} in a row)", message, delay.TotalSeconds, revision.Crashes)).ConfigureAwait(false);
        if (revision.Crashes >= _options.CrashLoopThreshold)
        {
            await WarnOnceAsync(d, "crashloop-" + revision.Model.RevisionId, "CrashLoopBackOff",
                $"revision {revision.Model.RevisionId} crashed {revision.Crashes} times in a row; last: {message}").ConfigureAwait(false);
        }
    }

    private async Task AutoscaleAsync(DeploymentState d, DeploymentSpec spec, TrafficSnapshot snapshot, DateTimeOffset now)
    {
        var settings = AutoscalerSettingsFor(spec);
        if (d.Autoscaler is null || d.Autoscaler.Settings != settings)
        {
            d.Autoscaler = new KpaAutoscaler(settings);
            d.AutoscalerState = d.Autoscaler.InitialState;
            d.NextTick = now;
        }

        var ready = d.Revisions.Sum(r => r.Ready);
        if (now < d.NextTick)
        {
            return;
        }

        d.NextTick = now + _options.TickInterval;
        var observed = Observe(d, spec.Predictor.ScaleMetric, snapshot, now);
        var (decision, next) = d.Autoscaler.Decide(d.AutoscalerState!, new AutoscalerInput(now, ready, observed, snapshot.Held));
        d.AutoscalerState = next;
        d.LastDecision = decision;
        _metrics?.Record(d.Name, ready, decision);
        var desired = Math.Min(decision.DesiredReplicas, _options.MaxReplicasPerDeployment);
        if (desired != d.Desired)
        {
            if (d.Desired >= 0)
            {
                await EventAsync(d.Name, ControlEventKind.Normal, desired > d.Desired ? "ScaledUp" : "ScaledDown",
                    $"desired replicas {d.Desired} -> {desired}: {decision.Reason}").ConfigureAwait(false);
            }

            d.Desired = desired;
        }
    }

    internal AutoscalerSettings AutoscalerSettingsFor(DeploymentSpec spec)
    {
        var p = spec.Predictor;
        var max = p.MaxReplicas is > 0 ? Math.Min(p.MaxReplicas, _options.MaxReplicasPerDeployment) : _options.MaxReplicasPerDeployment;
        var min = Math.Min(p.MinReplicas, max);
        return AutoscalerSettings.FromSpec(p.ScaleTarget, p.ScaleMetric.ToString(), (int)Math.Clamp(p.ContainerConcurrency, 0, int.MaxValue), min, max) with
        {
            TickInterval = _options.TickInterval,
            StableWindow = _options.StableWindow,
            PanicWindow = _options.PanicWindow,
            ScaleToZeroGracePeriod = spec.Turbine.ScaleToZeroGrace,
        };
    }

    /// <summary>The metric total across the ready replicas for this tick, in the target's unit.</summary>
    private double Observe(DeploymentState d, ScaleMetric metric, TrafficSnapshot snapshot, DateTimeOffset now)
    {
        switch (metric)
        {
            case ScaleMetric.Rps:
            {
                var total = snapshot.Revisions.Sum(r => r.Requests);
                var previous = d.LastRequests;
                d.LastRequests = (now, total);
                var seconds = previous is { } p ? (now - p.At).TotalSeconds : 0;
                return previous is { } q && seconds > 0 ? Math.Max(0, total - q.Requests) / seconds : 0;
            }

            case ScaleMetric.Cpu:
            {
                // Percent of one core, summed over the ready replicas (KServe's cpu target is a utilisation percent).
                double percent = 0;
                var alive = new HashSet<int>();
                foreach (var slot in d.Revisions.SelectMany(r => r.ReadySlots))
                {
                    var pid = slot.Process.Pid;
                    alive.Add(pid);
                    if (ProcessStats.CpuTime(pid) is not { } cpu)
                    {
                        continue;
                    }

                    if (d.LastCpu.TryGetValue(pid, out var last) && now > last.At)
                    {
                        percent += Math.Max(0, (cpu - last.Cpu).TotalSeconds / (now - last.At).TotalSeconds * 100);
                    }

                    d.LastCpu[pid] = (now, cpu);
                }

                foreach (var pid in d.LastCpu.Keys.Where(p => !alive.Contains(p)).ToList())
                {
                    d.LastCpu.Remove(pid);
                }

                return percent;
            }

            case ScaleMetric.Memory:
                // Resident memory in MiB, summed over the ready replicas.
                return d.Revisions.SelectMany(r => r.ReadySlots)
                    .Sum(s => (ProcessStats.ResidentBytes(s.Process.Pid) ?? 0) / (1024.0 * 1024.0));

            default:
                return snapshot.InFlightByReplica.Values.Sum();
        }
    }
}
