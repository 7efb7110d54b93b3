namespace Turbine.Client.Registry;

/// <summary>An immutable model version (<c>GET /api/v1/models/{name}/versions/{v}</c>, and what resolve answers).</summary>
public sealed record RegistryModelVersion
{
    public string Model { get; init; } = "";

    public long Version { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public string? Description { get; init; }

    /// <summary>None, Staging, Production or Archived.</summary>
    public string Stage { get; init; } = "None";

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public RegistryArtifact Artifact { get; init; } = new();

    /// <summary>What the registry found the artifact to be (<c>onnx</c>, or <c>unknown</c>).</summary>
    public string? Format { get; init; }

    public RegistrySignature? Signature { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    public RegistryLineage? Lineage { get; init; }
}
