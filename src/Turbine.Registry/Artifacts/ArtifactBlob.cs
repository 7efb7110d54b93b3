namespace Turbine.Registry.Artifacts;

/// <summary>A stored blob: lowercase hex SHA-256 of its bytes and its length.</summary>
public sealed record ArtifactBlob(string Sha256, long Size);
