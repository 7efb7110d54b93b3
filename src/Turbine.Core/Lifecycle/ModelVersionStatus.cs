namespace Turbine.Core.Lifecycle;

/// <summary>A model version the engine knows (serving, loading, unloading or failed) with its state and reason.</summary>
public sealed record ModelVersionStatus(string Model, VersionStatus Status);
