namespace Turbine.Client.Registry;

/// <summary>A registered model as the registry answers it (<c>GET /api/v1/models/{name}</c>).</summary>
public sealed record RegistryModel
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public string? Owner { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The highest version number, or null when the model has no version yet.</summary>
    public long? LatestVersion { get; init; }

    /// <summary>Alias → version number.</summary>
    public IReadOnlyDictionary<string, long> Aliases { get; init; } = new Dictionary<string, long>();

    /// <summary>Stage → the highest version in that stage.</summary>
    public IReadOnlyDictionary<string, long> Stages { get; init; } = new Dictionary<string, long>();
}
