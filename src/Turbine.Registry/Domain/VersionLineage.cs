namespace Turbine.Registry.Domain;

/// <summary>Where a version came from: training data, code, run, and the version of the same model it derives from.</summary>
internal sealed record VersionLineage(
    string? DatasetUri,
    string? DatasetDigest,
    string? CodeRepository,
    string? CodeCommit,
    string? RunId,
    long? ParentVersion)
{
    public static VersionLineage Empty { get; } = new(null, null, null, null, null, null);
}
