namespace Turbine.Client.Registry;

/// <summary>The body of <c>POST /api/v1/models/{name}/versions</c>: an uploaded artifact plus metadata.</summary>
public sealed record NewModelVersion
{
    /// <summary>The uploaded artifact: its digest, packing and, for a file, its name.</summary>
    public required RegistryArtifact Artifact { get; init; }

    /// <summary>Free text about the version.</summary>
    public string? Description { get; init; }

    /// <summary>Evaluation metrics, name → number (<c>auc</c> → 0.93).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Training parameters, name → value.</summary>
    public IReadOnlyDictionary<string, string>? Params { get; init; }

    /// <summary>Where the version came from: data, code, run and parent version.</summary>
    public RegistryLineage? Lineage { get; init; }
}
