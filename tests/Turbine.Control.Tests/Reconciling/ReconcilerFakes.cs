using System.Collections.Concurrent;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Tests.Reconciling;

/// <summary>
/// Test doubles for the reconciler's unit tests (the end-to-end tests use the real runtime, resolver and gateway):
/// replicas are records whose probe answer the test sets; the gateway records what was published.
/// </summary>
internal sealed class FakeReplica(string deployment, string id, RevisionModel revision, int pid, DateTimeOffset started) : ReplicaProcess
{
    public override string Deployment => deployment;

    public override string ReplicaId => id;

    public override string RevisionId => revision.RevisionId;

    public override string Version => revision.Version;

    public override int Pid => pid;

    public override int HttpPort => 20000 + pid;

    public override int GrpcPort => 30000 + pid;

    public override DateTimeOffset StartedAt => started;

    public ReplicaProbeState State { get; set; } = ReplicaProbeState.Starting;

    public bool Stopped { get; set; }

    public override IReadOnlyList<string> LogTail(int lines) => [];
}

internal sealed class FakeRuntime(TimeProvider time) : IReplicaRuntime
{
    private int _nextPid = 100;

    public ConcurrentDictionary<string, FakeReplica> Replicas { get; } = new();

    /// <summary>When set, a replica started becomes ready at its first probe.</summary>
    public bool ReadyAtOnce { get; set; } = true;

    /// <summary>Revisions whose replicas exit at their first probe (a model that cannot load).</summary>
    public HashSet<string> Crashing { get; } = [];

    public string? StartError { get; set; }

    public IEnumerable<FakeReplica> Running => Replicas.Values.Where(r => !r.Stopped && r.State != ReplicaProbeState.Exited);

    public int Starts { get; private set; }

    public Task<ControlResult<ReplicaProcess>> StartAsync(ReplicaLaunch launch, CancellationToken cancellationToken)
    {
        if (StartError is not null)
        {
            return Task.FromResult(ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Unavailable, StartError));
        }

        Starts++;
        var replica = new FakeReplica(launch.Deployment, launch.ReplicaId, launch.Revision, Interlocked.Increment(ref _nextPid), time.GetUtcNow());
        Replicas[launch.ReplicaId] = replica;
        return Task.FromResult(ControlResult<ReplicaProcess>.Ok(replica));
    }

    public ReplicaProcess? TryAdopt(ReplicaRecord record) =>
        Replicas.TryGetValue(record.ReplicaId, out var r) && !r.Stopped && r.State != ReplicaProbeState.Exited && r.Pid == record.Pid ? r : null;

    private int _probes;

    public int Probes => Volatile.Read(ref _probes);

    public Task<ReplicaProbe> ProbeAsync(ReplicaProcess replica, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        var r = (FakeReplica)replica;
        if (r.Stopped)
        {
            return Task.FromResult(new ReplicaProbe(ReplicaProbeState.Exited, "stopped"));
        }

        if (Crashing.Contains(r.RevisionId))
        {
            r.State = ReplicaProbeState.Exited;
        }
        else if (ReadyAtOnce && r.State == ReplicaProbeState.Starting)
        {
            r.State = ReplicaProbeState.Ready;
        }

        return Task.FromResult(new ReplicaProbe(r.State, r.State == ReplicaProbeState.Exited ? "exit code 1: model failed to load" : null));
    }

    public Task StopAsync(ReplicaProcess replica, TimeSpan grace, CancellationToken cancellationToken)
    {
        ((FakeReplica)replica).Stopped = true;
        return Task.CompletedTask;
    }
}

internal sealed class FakeResolver : IRevisionResolver
{
    public RevisionModel? Current { get; set; }

    public string? Error { get; set; }

    public Task<ControlResult<RevisionModel>> ResolveAsync(DeploymentSpec spec, CancellationToken cancellationToken) =>
        Task.FromResult(Error is not null || Current is null
            ? ControlResult<RevisionModel>.Fail(ControlErrorKind.Unavailable, Error ?? "nothing to resolve")
            : ControlResult<RevisionModel>.Ok(Current));

    public static RevisionModel Revision(long version) =>
        new($"fraud-v{version}", version.ToString(System.Globalization.CultureInfo.InvariantCulture), ["fraud"],
            new RegistryModelLocation(new Uri("http://127.0.0.1:1"), "fraud", version));
}

internal sealed class FakeTraffic : ITrafficPlane
{
    public Dictionary<string, DeploymentRoutes> Published { get; } = [];

    public int Publishes { get; private set; }

    public Dictionary<string, int> InFlight { get; } = [];

    public int Held { get; set; }

    public Dictionary<string, RevisionTraffic> Counters { get; } = [];

    public event Action<string>? ActivationRequested;

    public string? Publish(DeploymentRoutes routes)
    {
        Publishes++;
        Published[routes.Deployment] = routes;
        return null;
    }

    public void Remove(string deployment) => Published.Remove(deployment);

    public TrafficSnapshot Snapshot(string deployment) =>
        new(new Dictionary<string, int>(InFlight), Held, Counters.Values.ToList());

    public void Activate(string deployment) => ActivationRequested?.Invoke(deployment);

    /// <summary>Adds requests to a revision's cumulative counters, all in latency bucket <paramref name="bucket"/>.</summary>
    public void Count(string revision, long requests, long errors, int bucket = 0)
    {
        double[] bounds = [5, 10, 50, 100, 500, 1000];
        var previous = Counters.GetValueOrDefault(revision) ?? new RevisionTraffic(revision, 0, 0, bounds, new long[bounds.Length + 1]);
        var counts = previous.LatencyCounts.ToArray();
        counts[bucket] += requests;
        Counters[revision] = previous with { Requests = previous.Requests + requests, Errors = previous.Errors + errors, LatencyCounts = counts };
    }
}
