namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/artifacts</c>.</summary>
internal sealed record ArtifactResponse(string Sha256, long Size);
