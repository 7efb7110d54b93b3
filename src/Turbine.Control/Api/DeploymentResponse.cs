using Turbine.Control.Reconciling;

namespace Turbine.Control.Api;

/// <summary>One deployment: the YAML as applied, its generation, a spec summary and the full observed status.</summary>
/// <param name="Name">The deployment.</param>
/// <param name="Generation">The applied generation (compare with <see cref="DeploymentStatus.ObservedGeneration"/>).</param>
/// <param name="Paused">Whether its rollout is paused.</param>
/// <param name="Yaml">The InferenceService YAML as applied.</param>
/// <param name="Spec">The parsed spec's main settings.</param>
/// <param name="Status">The reconciler's view; phase <c>pending</c> before it has seen the deployment.</param>
/// <param name="CreatedAt">When it was first applied.</param>
/// <param name="UpdatedAt">When it was last changed.</param>
public sealed record DeploymentResponse(
    string Name, long Generation, bool Paused, string Yaml, SpecSummary Spec, DeploymentStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
