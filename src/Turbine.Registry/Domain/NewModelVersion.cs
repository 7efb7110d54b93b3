using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Domain;

/// <summary>What a push supplies for a new version; the store assigns the number.</summary>
internal sealed record NewModelVersion(
    VersionArtifact Artifact,
    string Description,
    string Format,
    ModelSignature? Signature,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Params,
    VersionLineage Lineage);
