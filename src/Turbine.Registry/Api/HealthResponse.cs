namespace Turbine.Registry.Api;

internal sealed record HealthResponse(string Status);
