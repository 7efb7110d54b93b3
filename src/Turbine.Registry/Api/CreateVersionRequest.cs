namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/models/{name}/versions</c>.</summary>
internal sealed record CreateVersionRequest(
    ArtifactReference? Artifact,
    string? Description,
    Dictionary<string, double>? Metrics,
    Dictionary<string, string>? Params,
    LineageRequest? Lineage);
