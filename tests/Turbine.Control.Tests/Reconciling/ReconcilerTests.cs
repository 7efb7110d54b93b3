using Microsoft.Extensions.Time.Testing;
using Turbine.Control.Reconciling;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Reconciling;

/// <summary>
/// The reconciler's decisions with fake time, a real SQLite store and test doubles for the runtime, the resolver and
/// the gateway (the end-to-end tests run the real ones).
/// </summary>
public sealed class ReconcilerTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new("turbine-reconciler");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly FakeResolver _resolver = new() { Current = FakeResolver.Revision(1) };
    private readonly FakeTraffic _traffic = new();
    private readonly FakeRuntime _runtime;
    private readonly SqliteControlStore _store;
    private Reconciler _reconciler;

    private static readonly ReconcilerOptions Options = new()
    {
        TickInterval = TimeSpan.FromSeconds(2),
        StableWindow = TimeSpan.FromSeconds(60),
        PanicWindow = TimeSpan.FromSeconds(6),
        DrainDelay = TimeSpan.Zero,
        StopReplicasOnShutdown = false,
    };

    public ReconcilerTests()
    {
        _runtime = new FakeRuntime(_time);
        _store = new SqliteControlStore(_folder.File("control.db"), _time);
        _reconciler = New();
    }

    private Reconciler New(ReconcilerOptions? options = null) =>
        new(_store, _runtime, _resolver, _traffic, options ?? Options, _time, random: new Random(7));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _reconciler.DisposeAsync();
        _store.Dispose();
        _folder.Dispose();
    }

    private static string Yaml(string extraPredictor = "", string annotations = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: fraud
        {annotations}
        spec:
          predictor:
        {extraPredictor}
            model:
              modelFormat:
                name: onnx
              storageUri: registry://fraud@production
        """;

    private async Task ApplyAsync(string yaml)
    {
        var parsed = InferenceServiceParser.Parse(yaml, "test.yaml");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
        var applied = await _store.ApplyAsync("fraud", yaml, parsed.Spec!);
        Assert.True(applied.IsOk, applied.Error?.Message);
    }

    private Task PassAsync() => _reconciler.ReconcileAllAsync(CancellationToken.None);

    /// <summary>Advances fake time by one tick per pass, <paramref name="passes"/> times.</summary>
    private async Task TicksAsync(int passes)
    {
        for (var i = 0; i < passes; i++)
        {
            _time.Advance(Options.TickInterval);
            await PassAsync();
        }
    }

    private DeploymentStatus Status => _reconciler.GetStatus("fraud") ?? throw new InvalidOperationException("no status");

    private async Task<IReadOnlyList<ControlEvent>> EventsAsync() => (await _store.ListEventsAsync("fraud", 1000)).Value!;

    [Fact]
    public async Task Apply_starts_the_minimum_replicas_and_publishes_them_only_once_ready()
    {
        _runtime.ReadyAtOnce = false;
        await ApplyAsync(Yaml("    minReplicas: 2\n    maxReplicas: 4\n    timeout: 45"));
        await PassAsync();

        Assert.Equal(2, _runtime.Running.Count());
        Assert.Equal(DeploymentPhase.Pending, Status.Phase);
        Assert.Empty(_traffic.Published["fraud"].Revisions[0].Replicas);
        Assert.NotNull(_traffic.Published["fraud"].Activator);
        Assert.Equal(TimeSpan.FromSeconds(45), _traffic.Published["fraud"].RequestTimeout); // spec.predictor.timeout goes to the gateway

        foreach (var r in _runtime.Running)
        {
            r.State = ReplicaProbeState.Ready;
        }

        await TicksAsync(1);
        var route = Assert.Single(_traffic.Published["fraud"].Revisions);
        Assert.Equal(100, route.Percent);
        Assert.Equal(2, route.Replicas.Count);
        Assert.Equal(["fraud"], _traffic.Published["fraud"].ModelNames);
        Assert.Equal(DeploymentPhase.Ready, Status.Phase);
        Assert.Equal(2, Status.ReadyReplicas);
        Assert.Equal(2, (await _store.ListReplicasAsync("fraud")).Value!.Count);
        Assert.Contains(await EventsAsync(), e => e.Reason == "ReplicaReady");

        // Level-triggered and idempotent: more passes with nothing changed start nothing and publish nothing new.
        var publishes = _traffic.Publishes;
        await TicksAsync(3);
        Assert.Equal(2, _runtime.Starts);
        Assert.Equal(publishes, _traffic.Publishes);
    }

    [Fact]
    public async Task Load_over_the_target_scales_up_and_back_down_after_the_stable_window()
    {
        await ApplyAsync(Yaml("    minReplicas: 1\n    maxReplicas: 5\n    scaleTarget: 10"));
        await TicksAsync(1);
        Assert.Single(_runtime.Running);

        // 40 requests in flight on one replica with a target of 10: once the 6 s panic window sees it, panic asks for 4.
        _traffic.InFlight[_runtime.Running.Single().ReplicaId] = 40;
        await TicksAsync(3);
        Assert.Equal(4, Status.DesiredReplicas);
        Assert.Equal(4, _runtime.Running.Count());
        Assert.True(Status.Autoscaler!.PanicMode);
        Assert.Contains(await EventsAsync(), e => e.Reason == "ScaledUp");

        // The load stops: after a stable window without panic, it scales back to the minimum (halving per tick at most).
        _traffic.InFlight.Clear();
        await TicksAsync(90);
        Assert.Single(_runtime.Running);
        Assert.Equal(1, Status.DesiredReplicas);
        Assert.Single(_traffic.Published["fraud"].Revisions[0].Replicas);
        Assert.Contains(await EventsAsync(), e => e.Reason == "ScaledDown");
    }

    [Fact]
    public async Task A_crashing_replica_restarts_with_exponential_backoff_and_the_crash_loop_is_reported()
    {
        await ApplyAsync(Yaml());
        _runtime.Crashing.Add("fraud-v1");
        await PassAsync();
        Assert.Equal(1, _runtime.Starts);

        await PassAsync(); // probe: exited → backoff 1 s
        Assert.Empty(_runtime.Running);
        await PassAsync(); // still in backoff (no time passed)
        Assert.Equal(1, _runtime.Starts);

        _time.Advance(TimeSpan.FromSeconds(1));
        await PassAsync(); // restarts
        Assert.Equal(2, _runtime.Starts);
        await PassAsync(); // crash 2 → backoff 2 s
        _time.Advance(TimeSpan.FromSeconds(1));
        await PassAsync();
        Assert.Equal(2, _runtime.Starts);
        _time.Advance(TimeSpan.FromSeconds(1));
        await PassAsync();
        Assert.Equal(3, _runtime.Starts);
        await PassAsync(); // crash 3 → crash loop

        var events = await EventsAsync();
        Assert.Equal(3, events.Count(e => e.Reason == "ReplicaCrashed"));
        Assert.Single(events, e => e.Reason == "CrashLoopBackOff");
        Assert.Equal(DeploymentPhase.Failed, Status.Phase);
        Assert.Contains("crash-looping", Status.Message);

        // Fixed: the next start after the backoff becomes ready and the deployment recovers.
        _runtime.Crashing.Clear();
        _time.Advance(TimeSpan.FromSeconds(4));
        await PassAsync();
        await PassAsync();
        Assert.Equal(DeploymentPhase.Ready, Status.Phase);
    }

    [Fact]
    public async Task A_replica_never_ready_is_replaced_and_never_published()
    {
        _runtime.ReadyAtOnce = false;
        await ApplyAsync(Yaml());
        await PassAsync();
        var first = _runtime.Running.Single();
        _time.Advance(TimeSpan.FromSeconds(121));
        await PassAsync();

        Assert.True(first.Stopped);
        Assert.Empty(_traffic.Published["fraud"].Revisions[0].Replicas);
        Assert.Contains(await EventsAsync(), e => e.Reason == "ReplicaCrashed" && e.Message.Contains("not ready within 120 s"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await PassAsync();
        Assert.Equal(2, _runtime.Starts);
    }

    [Fact]
    public async Task A_storage_uri_that_stops_resolving_leaves_the_previous_revision_serving()
    {
        await ApplyAsync(Yaml());
        await TicksAsync(2);
        Assert.Equal(DeploymentPhase.Ready, Status.Phase);

        _resolver.Error = "registry unreachable";
        await TicksAsync(5);
        Assert.Single(_runtime.Running);
        Assert.Single(_traffic.Published["fraud"].Revisions[0].Replicas);
        Assert.Contains("does not resolve", Status.Message);
        Assert.Contains("keeps serving", Status.Message);
        Assert.Single(await EventsAsync(), e => e.Reason == "ResolveFailed");
    }

    [Fact]
    public async Task A_new_version_rolls_out_as_a_canary_and_is_promoted_when_healthy()
    {
        await ApplyAsync(Yaml("    minReplicas: 2\n    canaryTrafficPercent: 10", "  annotations:\n    turbine.dev/analysis-window: 10s"));
        await TicksAsync(2);
        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(3); // resolve (every 5 s) → canary started → ready → routed

        Assert.Equal("fraud-v2", Status.Canary!.RevisionId);
        var routes = _traffic.Published["fraud"].Revisions;
        Assert.Equal([("fraud-v1", 90), ("fraud-v2", 10)], routes.Select(r => (r.RevisionId, r.Percent)));
        Assert.Equal(RolloutState.Progressing, Status.Rollout!.State);

        _traffic.Count("fraud-v1", 900, 1);
        _traffic.Count("fraud-v2", 100, 0);
        await TicksAsync(6);

        Assert.Null(Status.Canary);
        Assert.Equal("fraud-v2", Status.Stable!.RevisionId);
        Assert.Equal(RolloutState.Promoted, Status.Rollout!.State);
        var events = await EventsAsync();
        Assert.Contains(events, e => e.Reason == "Promoted" && e.Message.Contains("within limits"));

        // The old revision drains once the new stable has its replicas ready; only v2 remains.
        await TicksAsync(3);
        Assert.All(_runtime.Running, r => Assert.Equal("fraud-v2", r.RevisionId));
        Assert.Equal(2, _runtime.Running.Count());
        Assert.Equal([("fraud-v2", 100)], _traffic.Published["fraud"].Revisions.Select(r => (r.RevisionId, r.Percent)));
    }

    [Fact]
    public async Task A_failing_canary_is_rolled_back_at_once_and_not_tried_again()
    {
        await ApplyAsync(Yaml("    canaryTrafficPercent: 10"));
        await TicksAsync(2);
        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(3);
        Assert.NotNull(Status.Canary);

        await TicksAsync(1); // the step's window starts
        _traffic.Count("fraud-v2", 30, 12);
        await TicksAsync(1);

        Assert.Null(Status.Canary);
        Assert.Equal(RolloutState.RolledBack, Status.Rollout!.State);
        Assert.Equal([("fraud-v1", 100)], _traffic.Published["fraud"].Revisions.Select(r => (r.RevisionId, r.Percent)));
        var rolledBack = Assert.Single(await EventsAsync(), e => e.Reason == "RolledBack");
        Assert.Equal(ControlEventKind.Warning, rolledBack.Kind);
        Assert.Contains("error rate", rolledBack.Message);

        var starts = _runtime.Starts;
        await TicksAsync(10);
        Assert.Equal(starts, _runtime.Starts);
        Assert.All(_runtime.Running, r => Assert.Equal("fraud-v1", r.RevisionId));
    }

    [Fact]
    public async Task A_slow_canary_fails_the_latency_analysis()
    {
        await ApplyAsync(Yaml("    canaryTrafficPercent: 20", "  annotations:\n    turbine.dev/analysis-window: 4s"));
        await TicksAsync(2);
        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(4);
        _traffic.Count("fraud-v1", 400, 0, bucket: 1);  // ≤ 10 ms
        _traffic.Count("fraud-v2", 100, 0, bucket: 4);  // ≤ 500 ms
        await TicksAsync(3);

        Assert.Null(Status.Canary);
        Assert.Contains("p99 latency", Status.Rollout!.LastAnalysis);
    }

    [Fact]
    public async Task A_canary_that_never_loads_is_rolled_back_after_its_crash_loop()
    {
        await ApplyAsync(Yaml("    canaryTrafficPercent: 10"));
        await TicksAsync(2);
        _runtime.Crashing.Add("fraud-v2");
        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(20);

        Assert.Null(Status.Canary);
        Assert.Contains(await EventsAsync(), e => e.Reason == "RolledBack" && e.Message.Contains("crashed 3 times"));
        Assert.Equal([("fraud-v1", 100)], _traffic.Published["fraud"].Revisions.Select(r => (r.RevisionId, r.Percent)));
    }

    [Fact]
    public async Task Manual_rollout_commands_promote_roll_back_and_pause()
    {
        await ApplyAsync(Yaml("    canaryTrafficPercent: 10"));
        await TicksAsync(2);
        var none = await _reconciler.PromoteAsync("fraud", CancellationToken.None);
        Assert.Equal(ControlErrorKind.Conflict, none.Error!.Kind);
        Assert.Equal(ControlErrorKind.NotFound, (await _reconciler.RollbackAsync("nope", CancellationToken.None)).Error!.Kind);

        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(3);
        var paused = await _reconciler.SetPausedAsync("fraud", true, CancellationToken.None);
        Assert.True(paused.IsOk, paused.Error?.Message);
        _traffic.Count("fraud-v2", 1000, 0);
        await TicksAsync(60);
        Assert.Equal(RolloutState.Paused, Status.Rollout!.State);
        Assert.NotNull(Status.Canary);

        var promoted = await _reconciler.PromoteAsync("fraud", CancellationToken.None);
        Assert.True(promoted.IsOk, promoted.Error?.Message);
        Assert.Equal("fraud-v2", promoted.Value!.Stable!.RevisionId);

        _resolver.Current = FakeResolver.Revision(3);
        await TicksAsync(3);
        var rolledBack = await _reconciler.RollbackAsync("fraud", CancellationToken.None);
        Assert.True(rolledBack.IsOk);
        Assert.Null(rolledBack.Value!.Canary);
        Assert.Contains(await EventsAsync(), e => e.Reason == "RolledBack" && e.Message.Contains("by hand"));
    }

    [Fact]
    public async Task Min_replicas_zero_scales_to_zero_after_the_quiet_period_and_a_held_request_starts_one_at_once()
    {
        await ApplyAsync(Yaml("    minReplicas: 0", "  annotations:\n    turbine.dev/scale-to-zero-grace: 10s"));
        await TicksAsync(1);
        Assert.Single(_runtime.Running);

        await TicksAsync(40); // 60 s stable window + 10 s grace without traffic
        Assert.Empty(_runtime.Running);
        Assert.Equal(DeploymentPhase.ScaledToZero, Status.Phase);
        var route = Assert.Single(_traffic.Published["fraud"].Revisions);
        Assert.Empty(route.Replicas);
        Assert.NotNull(_traffic.Published["fraud"].Activator);

        // The activator holds a request and wakes the controller: a replica starts without waiting for a tick.
        _traffic.Held = 1;
        _traffic.Activate("fraud");
        await PassAsync();
        Assert.Single(_runtime.Running);
        await PassAsync();
        Assert.Single(_traffic.Published["fraud"].Revisions[0].Replicas);
    }

    [Fact]
    public async Task A_restarted_controller_adopts_the_running_replicas_instead_of_starting_more()
    {
        await ApplyAsync(Yaml("    minReplicas: 2"));
        await TicksAsync(2);
        Assert.Equal(2, _runtime.Starts);
        await _reconciler.DisposeAsync(); // StopReplicasOnShutdown = false: as if killed

        _traffic.Published.Clear();
        _reconciler = New();
        await _reconciler.StartAsync(CancellationToken.None);
        await PassAsync();

        Assert.Equal(2, _runtime.Starts);
        Assert.Equal(2, _traffic.Published["fraud"].Revisions[0].Replicas.Count);
        Assert.Equal(DeploymentPhase.Ready, Status.Phase);
        Assert.Contains(await EventsAsync(), e => e.Reason == "Adopted" && e.Message.Contains("adopted 2"));
    }

    [Fact]
    public async Task A_controller_restarted_after_a_promotion_adopts_the_promoted_replicas_as_stable_and_keeps_the_rollback()
    {
        await ApplyAsync(Yaml("    minReplicas: 1\n    canaryTrafficPercent: 50", "  annotations:\n    turbine.dev/analysis-window: 10s"));
        await TicksAsync(2);
        _resolver.Current = FakeResolver.Revision(2);
        await TicksAsync(3);
        _traffic.Count("fraud-v1", 100, 0);
        _traffic.Count("fraud-v2", 100, 0);
        await TicksAsync(9);
        Assert.Equal("fraud-v2", Status.Stable!.RevisionId);
        Assert.All(_runtime.Running, r => Assert.Equal("fraud-v2", r.RevisionId));
        await _reconciler.DisposeAsync(); // as if killed

        // The storageUri now names version 3: the restarted controller keeps v2 stable and rolls v3 out as a canary.
        _resolver.Current = FakeResolver.Revision(3);
        _traffic.Published.Clear();
        _reconciler = New();
        await _reconciler.StartAsync(CancellationToken.None);
        await PassAsync();

        Assert.Equal("fraud-v2", Status.Stable!.RevisionId);
        Assert.Contains(_traffic.Published["fraud"].Revisions, r => r.RevisionId == "fraud-v2" && r.Replicas.Count == 1);
        Assert.DoesNotContain(await EventsAsync(), e => e.Reason == "RolledBack" && e.Message.Contains("canary fraud-v2"));
    }

    [Fact]
    public async Task A_replica_whose_process_is_gone_after_a_restart_is_replaced()
    {
        await ApplyAsync(Yaml("    minReplicas: 2"));
        await TicksAsync(2);
        await _reconciler.DisposeAsync();
        _runtime.Running.First().Stopped = true;

        _reconciler = New();
        await _reconciler.StartAsync(CancellationToken.None);
        await PassAsync();
        Assert.Equal(3, _runtime.Starts);
        Assert.Equal(2, (await _store.ListReplicasAsync("fraud")).Value!.Count);
    }

    [Fact]
    public async Task Delete_removes_the_routes_and_stops_every_replica()
    {
        await ApplyAsync(Yaml("    minReplicas: 3"));
        await TicksAsync(2);
        Assert.Equal(3, _runtime.Running.Count());

        Assert.True(await _store.DeleteAsync("fraud"));
        await PassAsync();
        for (var i = 0; i < 50 && _runtime.Running.Any(); i++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(_runtime.Running);
        Assert.False(_traffic.Published.ContainsKey("fraud"));
        Assert.Null(_reconciler.GetStatus("fraud"));
    }

    [Fact]
    public async Task Graceful_shutdown_stops_the_replicas_when_asked()
    {
        await _reconciler.DisposeAsync();
        _reconciler = New(Options with { StopReplicasOnShutdown = true });
        await ApplyAsync(Yaml("    minReplicas: 2"));
        await TicksAsync(2);
        await _reconciler.DisposeAsync();
        Assert.Empty(_runtime.Running);
        Assert.Empty((await _store.ListReplicasAsync("fraud")).Value!);
    }

    [Fact]
    public async Task The_loop_probes_a_starting_replica_sooner_than_the_tick()
    {
        _runtime.ReadyAtOnce = false;
        await ApplyAsync(Yaml());
        await _reconciler.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => _runtime.Starts == 1 && _runtime.Probes == 0, TimeSpan.FromSeconds(10)), "the loop's first pass did not start the replica");

        // The first pass started the replica; a quarter second of fake time (an eighth of the tick) brings the next probe.
        var probes = _runtime.Probes;
        for (var i = 0; i < 50 && _runtime.Probes == probes; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20);
        }

        Assert.True(_runtime.Probes > probes, "no probe after 250 ms steps of fake time");
        Assert.True(_time.GetUtcNow() - _runtime.Running.Single().StartedAt < Options.TickInterval, "the probe waited for a full tick");
    }

    [Fact]
    public void Canary_steps_come_from_the_annotation_else_canary_traffic_percent_else_straight_to_100()
    {
        static DeploymentSpec Parse(string yaml) => InferenceServiceParser.Parse(yaml, "t.yaml").Spec!;
        Assert.Equal([10, 100], Reconciler.CanarySteps(Parse(Yaml("    canaryTrafficPercent: 10"))));
        Assert.Equal([100], Reconciler.CanarySteps(Parse(Yaml())));
        Assert.Equal([5, 25, 100], Reconciler.CanarySteps(Parse(Yaml("    canaryTrafficPercent: 10", "  annotations:\n    turbine.dev/canary-steps: \"5,25,100\""))));
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem()
    {
        var e = Assert.Throws<ArgumentException>(() => New(new ReconcilerOptions { TickInterval = TimeSpan.Zero, MaxDeployments = 0, CrashBackoffMax = TimeSpan.FromMilliseconds(1) }));
        Assert.Contains("TickInterval", e.Message);
        Assert.Contains("MaxDeployments", e.Message);
        Assert.Contains("CrashBackoffMax", e.Message);
    }
}
