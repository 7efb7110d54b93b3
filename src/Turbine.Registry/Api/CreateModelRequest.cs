namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/models</c>.</summary>
internal sealed record CreateModelRequest(string? Name, string? Description, string? Owner, Dictionary<string, string>? Tags);
