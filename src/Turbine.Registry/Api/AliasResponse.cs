namespace Turbine.Registry.Api;

internal sealed record AliasResponse(string Alias, long Version);
