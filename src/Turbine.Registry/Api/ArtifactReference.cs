namespace Turbine.Registry.Api;

/// <summary>The artifact part of <see cref="CreateVersionRequest"/>.</summary>
internal sealed record ArtifactReference(string? Sha256 = null, string? Packing = null, string? FileName = null);
