using Turbine.Control.Storage;

namespace Turbine.Control.Reconciling;

/// <summary>
/// What the control API asks of the reconciler: observed status, a nudge after the desired state changed, and the
/// manual rollout commands. The desired state itself lives in <see cref="IControlStore"/>; the API writes it there.
/// </summary>
public interface IDeploymentController
{
    /// <summary>The observed status of <paramref name="name"/>; null before the reconciler has seen it.</summary>
    /// <param name="name">The deployment name.</param>
    DeploymentStatus? GetStatus(string name);

    /// <summary>Asks for a reconcile of <paramref name="name"/> soon (after apply or delete); level-triggered, so extra calls are harmless.</summary>
    /// <param name="name">The deployment name.</param>
    void Trigger(string name);

    /// <summary>Gives the canary all traffic now and makes it the stable revision; Conflict when no rollout runs.</summary>
    /// <param name="name">The deployment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes the canary and gives the stable revision all traffic; Conflict when no rollout runs.</summary>
    /// <param name="name">The deployment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken);

    /// <summary>Pauses (or resumes) the rollout: the split holds and no analysis decides while paused.</summary>
    /// <param name="name">The deployment name.</param>
    /// <param name="paused">True to pause, false to resume.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken);
}
