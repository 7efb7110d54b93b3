using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>
/// The control plane's persistent state: deployments' desired state, their events and the replicas the controller
/// started. SQLite by default (<see cref="SqliteControlStore"/>), PostgreSQL when configured
/// (<see cref="PostgresControlStore"/>; both are <see cref="SqlControlStore"/>, chosen by <see cref="ControlStoreFactory"/>). Failures are <see cref="ControlError"/> values; only cancellation and I/O faults of the database throw.
/// </summary>
public interface IControlStore
{
    /// <summary>Longest replica state text (the reconciler keeps the replica's role, revision and models there).</summary>
    const int MaxReplicaStateLength = 16 * 1024;

    /// <summary>
    /// Stores <paramref name="yaml"/> as the desired state of <paramref name="name"/>. The generation starts at 1 and grows
    /// by one each time the YAML changes; applying the same YAML again changes nothing.
    /// </summary>
    /// <param name="name">The deployment name (a DNS-1123 label); must equal <paramref name="spec"/>'s name.</param>
    /// <param name="yaml">The InferenceService YAML as applied.</param>
    /// <param name="spec">The spec parsed from <paramref name="yaml"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<DeploymentRecord>> ApplyAsync(string name, string yaml, DeploymentSpec spec, CancellationToken cancellationToken = default);

    Task<ControlResult<DeploymentRecord>> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every deployment by name; a row that can no longer be read is an error entry, not an exception.</summary>
    Task<IReadOnlyList<ControlResult<DeploymentRecord>>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the deployment with its events and replicas; false when there was none (or the name is invalid).</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    Task<ControlResult<DeploymentRecord>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default);

    Task<ControlResult<ControlEvent>> AppendEventAsync(string name, ControlEventKind kind, string reason, string message, CancellationToken cancellationToken = default);

    /// <summary>The newest <paramref name="limit"/> events (1..1000), newest first.</summary>
    /// <param name="name">The deployment.</param>
    /// <param name="limit">How many events at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<IReadOnlyList<ControlEvent>>> ListEventsAsync(string name, int limit, CancellationToken cancellationToken = default);

    Task<ControlResult<ReplicaRecord>> UpsertReplicaAsync(string deployment, string replicaId, int pid, int httpPort, int grpcPort, string version, string state, CancellationToken cancellationToken = default);

    Task<ControlResult<IReadOnlyList<ReplicaRecord>>> ListReplicasAsync(string deployment, CancellationToken cancellationToken = default);

    Task<bool> DeleteReplicaAsync(string deployment, string replicaId, CancellationToken cancellationToken = default);
}
