namespace Turbine.Registry.Api;

/// <summary><c>PUT …/aliases/{alias}</c>.</summary>
internal sealed record AliasRequest(long? Version = null);
