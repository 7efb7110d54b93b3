namespace Turbine.Client.Registry;

/// <summary>The body of <c>POST /api/v1/models</c>.</summary>
public sealed record NewRegisteredModel
{
    /// <summary>The model's name, unique in the registry.</summary>
    public required string Name { get; init; }

    /// <summary>Free text about the model.</summary>
    public string? Description { get; init; }

    /// <summary>Who owns the model (a person or team).</summary>
    public string? Owner { get; init; }

    /// <summary>Free-form tags, key → value.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
