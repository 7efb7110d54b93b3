namespace Turbine.Client.Registry;

/// <summary>Where a version came from: data, code, training run and the version it was derived from.</summary>
public sealed record RegistryLineage
{
    /// <summary>Where the training data lives.</summary>
    public string? DatasetUri { get; init; }

    /// <summary>A digest of the training data, to tell one snapshot from another.</summary>
    public string? DatasetDigest { get; init; }

    /// <summary>The repository of the training code.</summary>
    public string? CodeRepository { get; init; }

    /// <summary>The commit of the training code.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>The training run's id.</summary>
    public string? RunId { get; init; }

    /// <summary>An earlier version of the same model this one was derived from.</summary>
    public long? ParentVersion { get; init; }
}
