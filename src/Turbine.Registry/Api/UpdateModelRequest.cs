namespace Turbine.Registry.Api;

/// <summary><c>PATCH /api/v1/models/{name}</c>: absent fields stay as they are; <c>tags</c> replaces all tags.</summary>
internal sealed record UpdateModelRequest(string? Description = null, string? Owner = null, Dictionary<string, string>? Tags = null);
