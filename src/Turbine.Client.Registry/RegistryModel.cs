namespace Turbine.Client.Registry;

/// <summary>A registered model as the registry answers it (<c>GET /api/v1/models/{name}</c>).</summary>
public sealed record RegistryModel
{
    /// <summary>The model's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Free text about the model.</summary>
    public string? Description { get; init; }

    /// <summary>Who owns the model.</summary>
    public string? Owner { get; init; }

    /// <summary>Free-form tags, key → value.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>When the model was registered.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the model's metadata last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The highest version number, or null when the model has no version yet.</summary>
    public long? LatestVersion { get; init; }

    /// <summary>Alias → version number.</summary>
    public IReadOnlyDictionary<string, long> Aliases { get; init; } = new Dictionary<string, long>();

    /// <summary>Stage → the highest version in that stage.</summary>
    public IReadOnlyDictionary<string, long> Stages { get; init; } = new Dictionary<string, long>();
}
