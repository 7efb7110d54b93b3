namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/models</c>.</summary>
internal sealed record CreateModelRequest(string? Name = null, string? Description = null, string? Owner = null, Dictionary<string, string>? Tags = null);
