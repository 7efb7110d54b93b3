namespace Turbine.Core.Lifecycle;

/// <summary>A version's state and, when unavailable, why.</summary>
public sealed record VersionStatus(long Version, ModelReadyState State, string Reason);
