using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Domain;

/// <summary>The blob a version points at and how it is packed.</summary>
internal sealed record VersionArtifact(string Sha256, long Size, ArtifactPacking Packing, string? FileName);
