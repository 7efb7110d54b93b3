namespace Turbine.Registry.Domain;

/// <summary>An API token as stored: its secret only as a SHA-256 hash.</summary>
internal sealed record ApiToken(long Id, string Name, TokenRole Role, string Models, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
