namespace Turbine.Control.Api;

/// <summary>Every deployment the caller may see; rows that can no longer be read are listed as errors, not dropped.</summary>
/// <param name="Deployments">The readable deployments, by name.</param>
/// <param name="Unreadable">Stored rows that no longer parse.</param>
public sealed record DeploymentListResponse(IReadOnlyList<DeploymentSummary> Deployments, IReadOnlyList<ControlErrorResponse> Unreadable);
