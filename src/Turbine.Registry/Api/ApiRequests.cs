namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/models</c>.</summary>
internal sealed record CreateModelRequest(string? Name, string? Description, string? Owner, Dictionary<string, string>? Tags);

/// <summary><c>PATCH /api/v1/models/{name}</c>: absent fields stay as they are; <c>tags</c> replaces all tags.</summary>
internal sealed record UpdateModelRequest(string? Description, string? Owner, Dictionary<string, string>? Tags);

/// <summary>The artifact part of <see cref="CreateVersionRequest"/>.</summary>
internal sealed record ArtifactReference(string? Sha256, string? Packing, string? FileName);

/// <summary>The lineage part of <see cref="CreateVersionRequest"/>.</summary>
internal sealed record LineageRequest(string? DatasetUri, string? DatasetDigest, string? CodeRepository, string? CodeCommit, string? RunId, long? ParentVersion);

/// <summary><c>POST /api/v1/models/{name}/versions</c>.</summary>
internal sealed record CreateVersionRequest(
    ArtifactReference? Artifact,
    string? Description,
    Dictionary<string, double>? Metrics,
    Dictionary<string, string>? Params,
    LineageRequest? Lineage);

/// <summary><c>POST …/versions/{v}/stage</c>.</summary>
internal sealed record StageRequest(string? Stage, bool ArchiveExisting);

/// <summary><c>PUT …/aliases/{alias}</c>.</summary>
internal sealed record AliasRequest(long? Version);

/// <summary><c>POST /api/v1/tokens</c>.</summary>
internal sealed record CreateTokenRequest(string? Name, string? Role, string? Models);
