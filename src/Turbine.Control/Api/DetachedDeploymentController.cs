using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Api;

/// <summary>
/// The stand-in when no reconciler is registered in the host: deployments are stored and listed (status Pending), and
/// rollout commands answer 503 saying so. The integrator's <see cref="IDeploymentController"/> replaces it.
/// </summary>
internal sealed class DetachedDeploymentController : IDeploymentController
{
    private const string NoReconciler = "no reconciler runs in this control process; the deployment is stored but nothing runs it";

    public DeploymentStatus? GetStatus(string name) => null;

    public void Trigger(string name)
    {
    }

    public Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken) => Unavailable();

    public Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken) => Unavailable();

    public Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken) => Unavailable();

    private static Task<ControlResult<DeploymentStatus>> Unavailable() =>
        Task.FromResult(ControlResult<DeploymentStatus>.Fail(ControlErrorKind.Unavailable, NoReconciler));
}
