namespace Turbine.Registry.Domain;

/// <summary>A registered model as stored (tags, aliases and the highest version per stage included).</summary>
internal sealed record RegisteredModel(
    string Name,
    string Description,
    string Owner,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long? LatestVersion,
    IReadOnlyDictionary<string, long> Aliases,
    IReadOnlyDictionary<string, long> Stages);
