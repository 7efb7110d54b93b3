namespace Turbine.Registry.Api;

/// <summary>The lineage part of <see cref="CreateVersionRequest"/>.</summary>
internal sealed record LineageRequest(string? DatasetUri = null, string? DatasetDigest = null, string? CodeRepository = null, string? CodeCommit = null, string? RunId = null, long? ParentVersion = null);
