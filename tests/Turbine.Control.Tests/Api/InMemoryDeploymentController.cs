using System.Collections.Concurrent;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Api;

/// <summary>
/// A stand-in reconciler for the API tests: statuses set by the test, every Trigger recorded, and the rollout commands
/// answering what the test set (a status, or an error of a kind) so the API's mapping can be checked.
/// </summary>
internal sealed class InMemoryDeploymentController : IDeploymentController
{
    public ConcurrentDictionary<string, DeploymentStatus> Statuses { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Triggered { get; } = new();

    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>When set, every rollout command fails with this error.</summary>
    public ControlError? RolloutError { get; set; }

    public DeploymentStatus? GetStatus(string name) => Statuses.TryGetValue(name, out var status) ? status : null;

    public void Trigger(string name) => Triggered.Enqueue(name);

    public Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken) => Command(name, "promote", null);

    public Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken) => Command(name, "rollback", null);

    public Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken) =>
        Command(name, paused ? "pause" : "resume", paused);

    private Task<ControlResult<DeploymentStatus>> Command(string name, string command, bool? paused)
    {
        Commands.Enqueue(command + " " + name);
        if (RolloutError is { } error)
        {
            return Task.FromResult(ControlResult<DeploymentStatus>.Fail(error));
        }

        var status = Statuses.TryGetValue(name, out var s) ? s : Status(name, DeploymentPhase.Progressing);
        if (paused is { } p)
        {
            status = status with { Paused = p };
            Statuses[name] = status;
        }

        return Task.FromResult(ControlResult<DeploymentStatus>.Ok(status));
    }

    public static DeploymentStatus Status(string name, DeploymentPhase phase, int ready = 0, string? canary = null) => new(
        name,
        1,
        phase,
        null,
        2,
        ready,
        [new ReplicaStatus($"{name}-r1", "rev-v3", "3", 4242, 40001, 40002, ReplicaState.Ready, 0, null, DateTimeOffset.UnixEpoch)],
        new RevisionStatus("rev-v3", "3", canary is null ? 100 : 90, ready),
        canary is null ? null : new RevisionStatus("rev-" + canary, canary, 10, 1),
        canary is null ? null : new RolloutStatus(RolloutState.Progressing, [10, 50, 100], 0, DateTimeOffset.UnixEpoch, "canary 0.0% errors vs stable 0.1%"),
        new AutoscalerStatus(3.5, 4.0, false, 2, "stable window average 3.5 / target 7"),
        false,
        DateTimeOffset.UnixEpoch);
}
