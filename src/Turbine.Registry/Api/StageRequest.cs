namespace Turbine.Registry.Api;

/// <summary><c>POST …/versions/{v}/stage</c>.</summary>
internal sealed record StageRequest(string? Stage = null, bool ArchiveExisting = false);
