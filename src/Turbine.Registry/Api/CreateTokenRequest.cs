namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/tokens</c>.</summary>
internal sealed record CreateTokenRequest(string? Name, string? Role, string? Models);
