namespace Turbine.Client.Registry;

/// <summary>Where a version came from: data, code, training run and the version it was derived from.</summary>
public sealed record RegistryLineage
{
    public string? DatasetUri { get; init; }

    public string? DatasetDigest { get; init; }

    public string? CodeRepository { get; init; }

    public string? CodeCommit { get; init; }

    public string? RunId { get; init; }

    public long? ParentVersion { get; init; }
}
