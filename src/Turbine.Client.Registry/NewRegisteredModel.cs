namespace Turbine.Client.Registry;

/// <summary>The body of <c>POST /api/v1/models</c>.</summary>
public sealed record NewRegisteredModel
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public string? Owner { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
