using System.Text;
using System.Text.Json;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Reconciling;

public sealed partial class Reconciler
{
    private async Task StepRolloutAsync(DeploymentState d, DeploymentSpec spec, TrafficSnapshot snapshot, DateTimeOffset now)
    {
        if (d.Canary is not { } canary || d.Rollout is not { } rollout || d.Stable is null)
        {
            return;
        }

        if (canary.Crashes >= _options.CrashLoopThreshold)
        {
            await RollbackAsync(d, now, $"the canary crashed {canary.Crashes} times in a row: {canary.LastCrash}").ConfigureAwait(false);
            return;
        }

        if (d.Record!.Paused)
        {
            // Held: the split stays, no analysis decides; a resume starts the step's window again.
            rollout.StepStartedAt = null;
            return;
        }

        if (canary.Ready == 0)
        {
            rollout.StepStartedAt = null;
            return;
        }

        if (rollout.Percent >= 100)
        {
            await PromoteAsync(d, now, "the canary is ready and the rollout's last step is 100 %").ConfigureAwait(false);
            return;
        }

        var canaryNow = snapshot.Revisions.FirstOrDefault(r => r.RevisionId == canary.Model.RevisionId);
        var stableNow = snapshot.Revisions.FirstOrDefault(r => r.RevisionId == d.Stable.Model.RevisionId);
        if (rollout.StepStartedAt is null)
        {
            // The window starts when the canary's share is routed (it is published at the end of this pass).
            rollout.StepStartedAt = now;
            rollout.CanaryAtStepStart = canaryNow;
            rollout.StableAtStepStart = stableNow;
            return;
        }

        var canaryWindow = WindowTraffic.Between(rollout.CanaryAtStepStart, canaryNow);
        var stableWindow = WindowTraffic.Between(rollout.StableAtStepStart, stableNow);
        if (canaryWindow.Requests >= _options.FailFastMinRequests && canaryWindow.ErrorRate > spec.Turbine.MaxErrorRate)
        {
            var (_, early) = RolloutAnalysis.Evaluate(canaryWindow, stableWindow, spec.Turbine);
            await RollbackAsync(d, now, "before the window ended: " + early).ConfigureAwait(false);
            return;
        }

        if (now - rollout.StepStartedAt.Value < spec.Turbine.AnalysisWindow)
        {
            return;
        }

        var (verdict, summary) = RolloutAnalysis.Evaluate(canaryWindow, stableWindow, spec.Turbine);
        rollout.LastAnalysis = summary;
        if (verdict == AnalysisVerdict.Fail)
        {
            await RollbackAsync(d, now, summary).ConfigureAwait(false);
            return;
        }

        rollout.StepIndex++;
        rollout.StepStartedAt = null;
        if (rollout.Percent >= 100)
        {
            await PromoteAsync(d, now, summary).ConfigureAwait(false);
        }
        else
        {
            await EventAsync(d.Name, ControlEventKind.Normal, "CanaryStep",
                $"canary {canary.Model.RevisionId} advances to {rollout.Percent} %: {summary}").ConfigureAwait(false);
        }
    }

    /// <summary>The canary becomes the stable revision; the old stable keeps a share until the new one has its replicas.</summary>
    private async Task PromoteAsync(DeploymentState d, DateTimeOffset now, string why)
    {
        var canary = d.Canary!;
        var old = d.Stable!;
        if (d.Retiring is { } older)
        {
            foreach (var slot in older.Replicas.ToList())
            {
                Drain(d, older, slot, "superseded", now);
            }
        }

        d.Retiring = old.Replicas.Count > 0 ? old : null;
        d.Stable = canary;
        d.Canary = null;
        d.LastRollout = new RolloutStatus(RolloutState.Promoted, d.Rollout!.Steps, d.Rollout.StepIndex, now, why);
        d.Rollout = null;
        d.RejectedRevisionId = null;
        await EventAsync(d.Name, ControlEventKind.Normal, "Promoted",
            $"revision {canary.Model.RevisionId} (version {canary.Model.Version}) is now stable, replacing {old.Model.RevisionId}: {why}").ConfigureAwait(false);

        // Record the promoted replicas as stable: a controller restarted later (kill -9) must adopt them as the stable
        // revision, not as a canary without a stable revision, which the next resolve would roll back.
        foreach (var slot in canary.Replicas)
        {
            var p = slot.Process;
            var recorded = await _store.UpsertReplicaAsync(d.Name, p.ReplicaId, p.Pid, p.HttpPort, p.GrpcPort, canary.Model.Version,
                ReplicaTag.Write(RevisionRole.Stable, canary.Model), CancellationToken.None).ConfigureAwait(false);
            if (recorded.Error is { } notRecorded)
            {
                await WarnOnceAsync(d, "record", "ReplicaNotRecorded", $"replica {p.ReplicaId} could not be recorded as stable for adoption: {notRecorded.Message}").ConfigureAwait(false);
            }
        }
    }

    private async Task RollbackAsync(DeploymentState d, DateTimeOffset now, string why)
    {
        var canary = d.Canary!;
        foreach (var slot in canary.Replicas.ToList())
        {
            Drain(d, canary, slot, "rolled back", now);
        }

        d.RejectedRevisionId = canary.Model.RevisionId;
        d.LastRollout = new RolloutStatus(RolloutState.RolledBack, d.Rollout?.Steps ?? [], d.Rollout?.StepIndex ?? 0, now, why);
        d.Canary = null;
        d.Rollout = null;
        await EventAsync(d.Name, ControlEventKind.Warning, "RolledBack",
            $"canary {canary.Model.RevisionId} (version {canary.Model.Version}) rolled back, {d.Stable!.Model.RevisionId} takes all traffic: {why}").ConfigureAwait(false);
    }

    /// <summary>Starts and stops replicas so each revision has its share of the desired count.</summary>
    private async Task ScaleAsync(DeploymentState d, DeploymentSpec spec, TrafficSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var desired = Math.Max(0, d.Desired);

        // The activator holds a request and nothing runs: start one now rather than at the next tick. A new deployment
        // starts with one replica even with minReplicas 0 (Knative's initial scale), so a bad model shows at apply.
        if (desired == 0 && (snapshot.Held > 0 || !d.EverReady))
        {
            desired = 1;
        }

        int stableTarget = desired, canaryTarget = 0;
        if (d.Canary is not null && d.Rollout is not null)
        {
            canaryTarget = desired == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(desired * d.Rollout.Percent / 100.0));
            stableTarget = desired == 0 ? 0 : Math.Max(1, desired - canaryTarget);
        }

        if (d.Stable is { } stable)
        {
            await EnsureCountAsync(d, stable, RevisionRole.Stable, stableTarget, spec, now, cancellationToken).ConfigureAwait(false);
        }

        if (d.Canary is { } canary)
        {
            await EnsureCountAsync(d, canary, RevisionRole.Canary, canaryTarget, spec, now, cancellationToken).ConfigureAwait(false);
        }

        // A retiring revision serves until the stable has what it needs ready (or nothing is wanted at all).
        if (d.Retiring is { } retiring && (d.Stable is null || d.Stable.Ready >= Math.Max(1, stableTarget) || stableTarget == 0))
        {
            foreach (var slot in retiring.Replicas.ToList())
            {
                Drain(d, retiring, slot, "replaced by revision " + (d.Stable?.Model.RevisionId ?? "none"), now);
            }

            d.Retiring = null;
        }
    }

    private async Task EnsureCountAsync(DeploymentState d, RevisionState revision, RevisionRole role, int target, DeploymentSpec spec, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = revision.Replicas.Count;
        if (live > target)
        {
            // Not-ready replicas go first, then the newest ready ones (the oldest have warm caches).
            var victims = revision.Replicas
                .OrderBy(s => s.State == ReplicaState.Ready ? 1 : 0)
                .ThenByDescending(s => s.Process.StartedAt)
                .Take(live - target)
                .ToList();
            foreach (var slot in victims)
            {
                Drain(d, revision, slot, target == 0 ? "scaled to zero" : "scaled down", now);
            }

            return;
        }

        if (live >= target || now < revision.BackoffUntil || revision.Model.Location is AdoptedModelLocation)
        {
            return;
        }

        var starts = Math.Min(target - live, _options.MaxStartsPerPass);
        for (var i = 0; i < starts; i++)
        {
            var id = NewReplicaId(d);
            var started = await _runtime.StartAsync(new ReplicaLaunch(d.Name, id, revision.Model, spec.Predictor), cancellationToken).ConfigureAwait(false);
            if (started.Value is not { } process)
            {
                await CrashedAsync(d, revision, $"replica {id} could not start: {started.Error!.Message}", now).ConfigureAwait(false);
                return;
            }

            revision.Replicas.Add(new ReplicaSlot(process, ReplicaState.Starting, now));
            var recorded = await _store.UpsertReplicaAsync(d.Name, id, process.Pid, process.HttpPort, process.GrpcPort, revision.Model.Version,
                ReplicaTag.Write(role, revision.Model), CancellationToken.None).ConfigureAwait(false);
            if (recorded.Error is { } notRecorded)
            {
                // It runs and serves; only a restarted controller would not find it (and would start another).
                await WarnOnceAsync(d, "record", "ReplicaNotRecorded", $"replica {id} could not be recorded for adoption: {notRecorded.Message}").ConfigureAwait(false);
            }
            await EventAsync(d.Name, ControlEventKind.Normal, "ReplicaStarted",
                $"replica {id} of revision {revision.Model.RevisionId} started (pid {process.Pid}, http {process.HttpPort}, grpc {process.GrpcPort})").ConfigureAwait(false);
        }
    }

    private string NewReplicaId(DeploymentState d)
    {
        var taken = d.Revisions.Concat(d.Retiring is null ? [] : [d.Retiring]).SelectMany(r => r.Replicas).Select(s => s.Process.ReplicaId)
            .Concat(d.Draining.Select(x => x.Slot.Process.ReplicaId))
            .ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            // Deployment names are DNS-1123 labels of at most 63 characters; the id stays a label-safe string.
            var id = d.Name + "-" + _random.Next(0, 1 << 24).ToString("x6", Invariant);
            if (taken.Add(id))
            {
                return id;
            }
        }
    }

    /// <summary>Takes a replica off its revision: it leaves the gateway with this pass's publish and stops after it.</summary>
    private void Drain(DeploymentState d, RevisionState revision, ReplicaSlot slot, string why, DateTimeOffset now)
    {
        revision.Replicas.Remove(slot);
        slot.State = ReplicaState.Draining;
        slot.Since = now;
        slot.Message = why;
        d.Draining.Add((slot, Task.CompletedTask));
    }

    /// <summary>Starts the stop of every replica drained this pass (called after the routes without them are published).</summary>
    private void StartStops(DeploymentState d)
    {
        for (var i = 0; i < d.Draining.Count; i++)
        {
            var (slot, stopping) = d.Draining[i];
            if (stopping == Task.CompletedTask)
            {
                d.Draining[i] = (slot, StopAsync(d.Name, slot));
            }
        }
    }

    private async Task StopAsync(string deployment, ReplicaSlot slot)
    {
        try
        {
            // The gateway no longer picks it; requests it already sent finish during the grace after SIGTERM.
            await Task.Delay(_options.DrainDelay, _time, CancellationToken.None).ConfigureAwait(false);
            await _runtime.StopAsync(slot.Process, _options.DrainGrace, CancellationToken.None).ConfigureAwait(false);
            await _store.DeleteReplicaAsync(deployment, slot.Process.ReplicaId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.StopFailed(_logger, deployment, slot.Process.ReplicaId, e);
        }
    }

    private void ReapDrained()
    {
        foreach (var state in _states.Values)
        {
            state.Draining.RemoveAll(x => x.Stopping != Task.CompletedTask && x.Stopping.IsCompleted);
        }
    }

    /// <summary>The gateway's view: ready replicas per revision with their shares; the activator holds requests while none is ready.</summary>
    internal static DeploymentRoutes? RoutesFor(DeploymentState d, DeploymentSpec spec)
    {
        if (d.Stable is not { } stable)
        {
            return null;
        }

        var canaryPercent = d.Canary is { } c && d.Rollout is { } r && c.Ready > 0 ? Math.Clamp(r.Percent, 0, 100) : 0;
        var stablePart = 100 - canaryPercent;
        var retiringPercent = 0;
        if (d.Retiring is { } retiring && retiring.Ready > 0)
        {
            var total = stable.Ready + retiring.Ready;
            retiringPercent = stablePart - (int)Math.Round(stablePart * (double)stable.Ready / total);
        }

        var revisions = new List<RevisionRoute> { new(stable.Model.RevisionId, stablePart - retiringPercent, Endpoints(stable)) };
        if (retiringPercent > 0)
        {
            revisions.Add(new RevisionRoute(d.Retiring!.Model.RevisionId, retiringPercent, Endpoints(d.Retiring)));
        }

        if (canaryPercent > 0)
        {
            revisions.Add(new RevisionRoute(d.Canary!.Model.RevisionId, canaryPercent, Endpoints(d.Canary)));
        }

        if (revisions[0].Percent == 0)
        {
            revisions.RemoveAt(0);
        }

        var models = stable.Model.ModelNames
            .Concat(d.Canary?.Model.ModelNames ?? [])
            .Concat(d.Retiring?.Model.ModelNames ?? [])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new DeploymentRoutes(d.Name, models, revisions,
            new ActivatorSettings(spec.Turbine.ActivatorQueueSize, spec.Turbine.ActivatorMaxWait),
            spec.Predictor.ContainerConcurrency,
            spec.Predictor.Timeout);

        static List<ReplicaEndpoint> Endpoints(RevisionState revision) => revision.ReadySlots
            .Select(s => new ReplicaEndpoint(s.Process.ReplicaId, Loopback(s.Process.HttpPort), Loopback(s.Process.GrpcPort)))
            .ToList();

        static Uri Loopback(int port) => new($"http://127.0.0.1:{port.ToString(Invariant)}");
    }

    private void PublishRoutes(DeploymentState d, DeploymentSpec spec)
    {
        if (RoutesFor(d, spec) is not { } routes)
        {
            return;
        }

        if (d.Published is { } published && Key(published) == Key(routes))
        {
            return;
        }

        d.PublishError = _traffic.Publish(routes);
        if (d.PublishError is null)
        {
            d.Published = routes;
        }
    }

    private Task RecordPublishErrorAsync(DeploymentState d)
    {
        if (d.PublishError is null)
        {
            ClearReported(d, "publish");
            return Task.CompletedTask;
        }

        return WarnOnceAsync(d, "publish", "RoutingFailed", "the gateway refused the routes: " + d.PublishError);
    }

    private static string Key(DeploymentRoutes routes)
    {
        var b = new StringBuilder();
        b.Append(string.Join(',', routes.ModelNames)).Append('|').Append(routes.ContainerConcurrency).Append('|')
            .Append(routes.Activator?.QueueSize).Append('/').Append(routes.Activator?.MaxWait.Ticks);
        foreach (var r in routes.Revisions)
        {
            b.Append('|').Append(r.RevisionId).Append('=').Append(r.Percent).Append(':');
            b.Append(string.Join(',', r.Replicas.Select(e => e.ReplicaId + "@" + e.Http + "@" + e.Grpc)));
        }

        return b.ToString();
    }

    /// <summary>Stops every replica of a deployment and removes its routes (after a delete, or on shutdown).</summary>
    private void TearDown(DeploymentState d, bool deleteStatus = true)
    {
        if (d.TornDown)
        {
            return;
        }

        var now = Now;
        foreach (var revision in d.Revisions.Concat(d.Retiring is null ? [] : [d.Retiring]).ToList())
        {
            foreach (var slot in revision.Replicas.ToList())
            {
                Drain(d, revision, slot, "deployment deleted or controller stopping", now);
            }
        }

        _traffic.Remove(d.Name);
        d.Published = null;
        StartStops(d);

        _metrics?.Remove(d.Name);
        if (deleteStatus)
        {
            d.TornDown = true;
            _status.TryRemove(d.Name, out _);
            d.Stable = d.Canary = d.Retiring = null;
            d.Rollout = null;
            // The state stays until its stops finish (ReapDrained), then goes with the next delete pass.
            if (d.Draining.Count == 0)
            {
                _states.Remove(d.Name);
            }
            else
            {
                _ = RemoveWhenStoppedAsync(d);
            }
        }
    }

    private async Task RemoveWhenStoppedAsync(DeploymentState d)
    {
        await Task.WhenAll(d.Draining.Select(x => x.Stopping).ToList()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            if (await _gate.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false))
            {
                try
                {
                    if (_states.TryGetValue(d.Name, out var current) && ReferenceEquals(current, d))
                    {
                        _states.Remove(d.Name);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The reconciler stopped meanwhile; its states go with it.
        }
    }

    /// <summary>How a replica's role and revision are kept in the store's state column, for adoption after a restart.</summary>
    internal static class ReplicaTag
    {
        public static string Write(RevisionRole role, RevisionModel model)
        {
            var roleName = role == RevisionRole.Canary ? "canary" : "stable";
            var json = JsonSerializer.Serialize(new Tag(roleName, model.RevisionId, model.Version, [.. model.ModelNames]));

            // A repository of very many models does not fit: then an adopted replica is routed once its revision resolves again.
            return json.Length <= IControlStore.MaxReplicaStateLength ? json : JsonSerializer.Serialize(new Tag(roleName, model.RevisionId, model.Version, []));
        }

        public static (RevisionRole Role, string RevisionId, IReadOnlyList<string> Models)? Read(string state)
        {
            try
            {
                if (state.Length > 16 * 1024 || JsonSerializer.Deserialize<Tag>(state) is not { RevisionId: { Length: > 0 } id, Models: { } models } tag)
                {
                    return null;
                }

                return (tag.Role == "canary" ? RevisionRole.Canary : RevisionRole.Stable, id, models);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private sealed record Tag(string Role, string RevisionId, string Version, string[] Models);
    }
}
