namespace Turbine.Client.Registry;

/// <summary>The body of <c>POST /api/v1/models/{name}/versions</c>: an uploaded artifact plus metadata.</summary>
public sealed record NewModelVersion
{
    public required RegistryArtifact Artifact { get; init; }

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    public IReadOnlyDictionary<string, string>? Params { get; init; }

    public RegistryLineage? Lineage { get; init; }
}
