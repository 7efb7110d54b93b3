namespace Turbine.Control.Traffic;

/// <summary>A ready replica the gateway may send requests to.</summary>
/// <param name="ReplicaId">The replica's id (as in the store).</param>
/// <param name="Http">Its REST base URL (loopback).</param>
/// <param name="Grpc">Its gRPC base URL (loopback).</param>
public sealed record ReplicaEndpoint(string ReplicaId, Uri Http, Uri Grpc);

/// <summary>One revision's share of a deployment's traffic.</summary>
/// <param name="RevisionId">The revision (see <c>RevisionModel.RevisionId</c>).</param>
/// <param name="Percent">Its share of requests, 0..100; the revisions of a deployment add up to 100.</param>
/// <param name="Replicas">Its ready replicas; none while it scales from zero.</param>
public sealed record RevisionRoute(string RevisionId, int Percent, IReadOnlyList<ReplicaEndpoint> Replicas);

/// <summary>The activator's bounds for a deployment whose replicas are all gone.</summary>
/// <param name="QueueSize">Most requests held at once; more are refused with 503 and <c>Retry-After</c> (gRPC UNAVAILABLE).</param>
/// <param name="MaxWait">Longest a held request waits for a replica before the same refusal.</param>
public sealed record ActivatorSettings(int QueueSize, TimeSpan MaxWait);

/// <summary>Everything the gateway needs to route one deployment.</summary>
/// <param name="Deployment">The deployment name.</param>
/// <param name="ModelNames">The model names routed to this deployment.</param>
/// <param name="Revisions">One (stable) or two (stable and canary) revisions with their shares.</param>
/// <param name="Activator">When set, a deployment with no ready replica holds requests instead of failing them.</param>
/// <param name="ContainerConcurrency">Most requests in flight per replica (0 = unlimited).</param>
/// <param name="RequestTimeout">Longest one request may take through the gateway (<c>spec.predictor.timeout</c>); null = no limit.</param>
public sealed record DeploymentRoutes(
    string Deployment,
    IReadOnlyList<string> ModelNames,
    IReadOnlyList<RevisionRoute> Revisions,
    ActivatorSettings? Activator,
    long ContainerConcurrency,
    TimeSpan? RequestTimeout = null);

/// <summary>Counters of one revision since the plane started routing it (cumulative: diff two snapshots for a window).</summary>
/// <param name="RevisionId">The revision.</param>
/// <param name="Requests">Requests answered (any status).</param>
/// <param name="Errors">Requests answered with a server error (5xx, gRPC INTERNAL/UNAVAILABLE/…) or a transport failure.</param>
/// <param name="LatencyBucketsMs">Upper bounds of the latency histogram's buckets, milliseconds, ascending.</param>
/// <param name="LatencyCounts">Requests per bucket (one more entry than the bounds: the overflow bucket).</param>
public sealed record RevisionTraffic(string RevisionId, long Requests, long Errors, IReadOnlyList<double> LatencyBucketsMs, IReadOnlyList<long> LatencyCounts);

/// <summary>What the gateway observes of one deployment now.</summary>
/// <param name="InFlightByReplica">Requests in flight per replica id (the autoscaler's concurrency input).</param>
/// <param name="Held">Requests the activator holds now.</param>
/// <param name="Revisions">Counters per revision (rollout analysis; rps).</param>
public sealed record TrafficSnapshot(IReadOnlyDictionary<string, int> InFlightByReplica, int Held, IReadOnlyList<RevisionTraffic> Revisions);

/// <summary>
/// The controller's handle on the gateway: publishes each deployment's routes (through the gateway config source API,
/// no files), reads in-flight counts and per-revision counters, and hears when the activator holds a request for a
/// deployment at zero.
/// </summary>
public interface ITrafficPlane
{
    /// <summary>Routes <paramref name="routes"/>'s models to its revisions; replaces what was published for that deployment.</summary>
    /// <param name="routes">The deployment's routes.</param>
    /// <returns>Null when applied, else why the gateway refused it (for example a model name another deployment routes).</returns>
    string? Publish(DeploymentRoutes routes);

    /// <summary>Removes a deployment's routes; its held requests are refused.</summary>
    /// <param name="deployment">The deployment name.</param>
    void Remove(string deployment);

    /// <summary>What the gateway observes of <paramref name="deployment"/> now (empty when it is not published).</summary>
    /// <param name="deployment">The deployment name.</param>
    TrafficSnapshot Snapshot(string deployment);

    /// <summary>Raised (with the deployment name) when the activator holds a request for a deployment without ready replicas.</summary>
    event Action<string>? ActivationRequested;
}
