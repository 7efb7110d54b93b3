namespace Turbine.Registry.Api;

/// <summary><c>POST /api/v1/tokens</c>.</summary>
internal sealed record CreateTokenRequest(string? Name = null, string? Role = null, string? Models = null);
