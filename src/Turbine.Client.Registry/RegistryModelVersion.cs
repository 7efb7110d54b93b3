namespace Turbine.Client.Registry;

/// <summary>An immutable model version (<c>GET /api/v1/models/{name}/versions/{v}</c>, and what resolve answers).</summary>
public sealed record RegistryModelVersion
{
    /// <summary>The model's name.</summary>
    public string Model { get; init; } = "";

    /// <summary>The version number (1, 2, 3… per model, assigned by the registry, never reused).</summary>
    public long Version { get; init; }

    /// <summary>When the version was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Who created the version.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Free text about the version.</summary>
    public string? Description { get; init; }

    /// <summary>None, Staging, Production or Archived.</summary>
    public string Stage { get; init; } = "None";

    /// <summary>The aliases that point at this version.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The version's artifact.</summary>
    public RegistryArtifact Artifact { get; init; } = new();

    /// <summary>What the registry found the artifact to be (<c>onnx</c>, or <c>unknown</c>).</summary>
    public string? Format { get; init; }

    /// <summary>The input and output tensors read from the artifact; null when the registry could not read them.</summary>
    public RegistrySignature? Signature { get; init; }

    /// <summary>Evaluation metrics, name → number.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Training parameters, name → value.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the version came from; null when none was recorded.</summary>
    public RegistryLineage? Lineage { get; init; }
}
