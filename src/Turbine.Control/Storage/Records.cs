using Turbine.Control.Specs;

namespace Turbine.Control.Storage;

/// <summary>The desired state of one deployment as stored: the YAML as applied and the spec re-parsed from it.</summary>
public sealed record DeploymentRecord(
    string Name,
    long Generation,
    string Yaml,
    DeploymentSpec Spec,
    bool Paused,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The kind of a deployment event, as Kubernetes events.</summary>
public enum ControlEventKind
{
    Normal,
    Warning,
}

/// <summary>One event of a deployment.</summary>
public sealed record ControlEvent(
    long Id,
    string Deployment,
    ControlEventKind Kind,
    string Reason,
    string Message,
    DateTimeOffset At);

/// <summary>A replica process started by the controller, kept so a restarted controller can adopt it.</summary>
public sealed record ReplicaRecord(
    string Deployment,
    string ReplicaId,
    int Pid,
    int HttpPort,
    int GrpcPort,
    string Version,
    string State,
    DateTimeOffset UpdatedAt);

/// <summary>Bounds of the control store.</summary>
public sealed record ControlStoreOptions
{
    /// <summary>Events kept per deployment; older ones are deleted in the transaction that appends.</summary>
    public int MaxEventsPerDeployment { get; init; } = 1000;

    /// <summary>Event messages longer than this are truncated.</summary>
    public int MaxEventMessageLength { get; init; } = 4096;
}
