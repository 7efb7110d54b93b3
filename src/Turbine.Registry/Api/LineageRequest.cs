namespace Turbine.Registry.Api;

/// <summary>The lineage part of <see cref="CreateVersionRequest"/>.</summary>
internal sealed record LineageRequest(string? DatasetUri, string? DatasetDigest, string? CodeRepository, string? CodeCommit, string? RunId, long? ParentVersion);
