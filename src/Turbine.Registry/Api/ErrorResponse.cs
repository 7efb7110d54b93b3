namespace Turbine.Registry.Api;

/// <summary><c>{"error", "code"}</c>: every error answer.</summary>
internal sealed record ErrorResponse(string Error, string Code);
