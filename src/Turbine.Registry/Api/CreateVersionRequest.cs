namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/models/{name}/versions</c>.</summary>
internal sealed record CreateVersionRequest(
    ArtifactReference? Artifact = null,
    string? Description = null,
    Dictionary<string, double>? Metrics = null,
    Dictionary<string, string>? Params = null,
    LineageRequest? Lineage = null);
