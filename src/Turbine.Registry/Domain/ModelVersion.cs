using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Domain;

/// <summary>An immutable model version (only its stage, aliases and card change after creation).</summary>
internal sealed record ModelVersion(
    string Model,
    long Version,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string Description,
    ModelStage Stage,
    IReadOnlyList<string> Aliases,
    VersionArtifact Artifact,
    string Format,
    ModelSignature? Signature,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Params,
    VersionLineage Lineage);
