using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

/// <summary>What the reconciler asks the runtime to start.</summary>
/// <param name="Deployment">The deployment name.</param>
/// <param name="ReplicaId">A unique id for this replica (<c>[a-z0-9-]</c>), kept in the store.</param>
/// <param name="Revision">What the replica serves.</param>
/// <param name="Predictor">The predictor spec (timeout, container concurrency).</param>
public sealed record ReplicaLaunch(string Deployment, string ReplicaId, RevisionModel Revision, PredictorSpec Predictor);

/// <summary>The state of a replica process as the runtime last saw it.</summary>
public enum ReplicaProbeState
{
    /// <summary>Running, not yet ready.</summary>
    Starting,

    /// <summary>Running and every model it serves is ready.</summary>
    Ready,

    /// <summary>The process has exited (or can no longer be found).</summary>
    Exited,
}

/// <summary>One readiness probe of a replica.</summary>
/// <param name="State">What the probe found.</param>
/// <param name="Message">Why it is not ready, or how it exited (exit code, last log line).</param>
public sealed record ReplicaProbe(ReplicaProbeState State, string? Message = null)
{
    /// <summary>
    /// Set on the first <see cref="ReplicaProbeState.Ready"/> probe of a replica this runtime started (not on adopted
    /// ones): how long the replica took to become ready, by phase.
    /// </summary>
    public ReplicaColdStart? ColdStart { get; init; }
}

/// <summary>How long a replica took from its start to its first ready probe, by phase (published as <c>turbine.cold_start.seconds</c>).</summary>
/// <param name="Total">From the start of the process to the first probe that found it ready.</param>
/// <param name="Fetch">Downloading the artifact from the registry; null when nothing was downloaded (a folder location, a blob already cached).</param>
/// <param name="Load">Loading the model versions into the backend (the server's load duration less warm-up); null when the server does not report it.</param>
/// <param name="Warmup">Running the models' warm-up samples; null when the server does not report it.</param>
public sealed record ReplicaColdStart(TimeSpan Total, TimeSpan? Fetch, TimeSpan? Load, TimeSpan? Warmup);

/// <summary>A replica process the runtime started or adopted.</summary>
public abstract class ReplicaProcess
{
    public abstract string Deployment { get; }

    public abstract string ReplicaId { get; }

    public abstract string RevisionId { get; }

    public abstract string Version { get; }

    public abstract int Pid { get; }

    public abstract int HttpPort { get; }

    public abstract int GrpcPort { get; }

    public abstract DateTimeOffset StartedAt { get; }

    /// <summary>The newest lines of the replica's output (bounded), for status and the dashboard.</summary>
    /// <param name="lines">How many lines at most.</param>
    public abstract IReadOnlyList<string> LogTail(int lines);
}

/// <summary>
/// Starts, probes, adopts and stops replica processes. The local implementation runs <c>turbine serve</c> children on
/// free loopback ports; every call is bounded in time and stopping always finishes.
/// </summary>
public interface IReplicaRuntime
{
    /// <summary>Starts a replica (does not wait for readiness); an error when it cannot start (no binary, no port, bad model location).</summary>
    /// <param name="launch">What to start.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    Task<ControlResult<ReplicaProcess>> StartAsync(ReplicaLaunch launch, CancellationToken cancellationToken);

    /// <summary>
    /// Re-attaches a replica recorded before a controller restart; null when its process is gone or is not the replica
    /// recorded (a reused pid).
    /// </summary>
    /// <param name="record">The stored replica.</param>
    ReplicaProcess? TryAdopt(ReplicaRecord record);

    /// <summary>Probes the replica once (process alive, server ready, every model ready), within a short timeout.</summary>
    /// <param name="replica">The replica.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    Task<ReplicaProbe> ProbeAsync(ReplicaProcess replica, CancellationToken cancellationToken);

    /// <summary>Stops the replica: SIGTERM (in-flight requests finish), then kill after <paramref name="grace"/>. Always finishes.</summary>
    /// <param name="replica">The replica.</param>
    /// <param name="grace">How long the process may take to exit by itself.</param>
    /// <param name="cancellationToken">Cancels the wait (the process is killed then).</param>
    Task StopAsync(ReplicaProcess replica, TimeSpan grace, CancellationToken cancellationToken);
}

/// <summary>Resolves a deployment's <c>storageUri</c> to the revision it means now (registry stage or alias → version; folder → digest).</summary>
public interface IRevisionResolver
{
    /// <summary>The revision <paramref name="spec"/> means now; an error (the previous revision keeps serving) when it does not resolve.</summary>
    /// <param name="spec">The deployment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<RevisionModel>> ResolveAsync(DeploymentSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// The revisions whose replicas run or start now, across every deployment (the reconciler calls it after each pass):
    /// their cached artifacts must not be evicted. Each call replaces the previous set.
    /// </summary>
    /// <param name="revisionIds">The revision ids in use.</param>
    void RevisionsInUse(IReadOnlyCollection<string> revisionIds)
    {
    }
}
