using Turbine.Control.Reconciling;

namespace Turbine.Control.Api;

/// <summary>One deployment in a list: desired state and a status summary.</summary>
public sealed record DeploymentSummary(
    string Name,
    long Generation,
    bool Paused,
    DeploymentPhase Phase,
    int ReadyReplicas,
    int DesiredReplicas,
    string? Version,
    string? CanaryVersion,
    int? CanaryPercent,
    string StorageUri,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
