using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Dashboard;

/// <summary><c>GET /api/dashboard/me</c>: who the token is and what the dashboard can reach.</summary>
public sealed record DashboardMe(string Name, string Scope, bool Dev, bool Registry, bool Monitoring, bool PayloadLog, string? Gateway, IReadOnlyList<string> GatewayModels);

/// <summary>One row of the Deployments page.</summary>
public sealed record DashboardDeploymentSummary(
    string Name, DeploymentPhase Phase, string? Message, int Ready, int Desired, string? StableVersion, string? CanaryVersion, int? CanaryPercent,
    RolloutState? Rollout, string StorageUri, IReadOnlyList<string> Models, DashboardPoint? Latest);

/// <summary>A replica with the tail of its log.</summary>
public sealed record DashboardReplica(ReplicaStatus Replica, IReadOnlyList<string> Log);

/// <summary>One cold start, milliseconds per phase (null: not reported).</summary>
public sealed record DashboardColdStart(DateTimeOffset At, double TotalMs, double? FetchMs, double? LoadMs, double? WarmupMs);

/// <summary><c>GET /api/dashboard/deployments/{name}</c>.</summary>
public sealed record DashboardDeploymentDetail(
    string Name, long Generation, bool Paused, string Yaml, SpecSummary Spec, DeploymentStatus? Status, IReadOnlyList<DashboardReplica> Replicas,
    IReadOnlyList<DashboardColdStart> ColdStarts, IReadOnlyList<ControlEvent> Events, IReadOnlyList<string> Models, IReadOnlyList<DashboardPoint> History);

/// <summary>One deployment on the Traffic page: its newest point and the last minutes.</summary>
public sealed record DashboardTrafficRow(string Deployment, IReadOnlyList<string> Models, string? StableVersion, string? CanaryVersion, DashboardPoint? Latest, IReadOnlyList<DashboardPoint> Series);
