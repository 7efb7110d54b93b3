namespace Turbine.Registry;

/// <summary>An API token as <c>turbine registry token</c> shows it; <see cref="Secret"/> is set only right after creation.</summary>
public sealed record RegistryTokenInfo(long Id, string Name, string Role, string Models, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, string? Secret = null);
