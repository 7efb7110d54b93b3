namespace Turbine.Control.Runtime;

/// <summary>
/// One revision of a deployment: its <c>storageUri</c> resolved to concrete, immutable artifacts. Two revisions with the
/// same <see cref="RevisionId"/> serve the same bytes; a rollout starts when a deployment's resolved id changes.
/// </summary>
/// <param name="RevisionId">
/// A stable key of what is served, safe in file and pool names (<c>[a-z0-9-]</c>, at most 40 characters), for example
/// <c>fraud-v3</c> for registry version 3 or <c>sha-1a2b3c4d5e6f</c> for a folder's content digest.
/// </param>
/// <param name="Version">What status shows as the version: the registry version, or the short digest of a folder.</param>
/// <param name="ModelNames">The models a replica of this revision serves (each gets a gateway route).</param>
/// <param name="Location">Where the replica's server finds the model.</param>
public sealed record RevisionModel(string RevisionId, string Version, IReadOnlyList<string> ModelNames, ModelLocation Location)
{
    /// <summary>
    /// How long fetching the artifacts took (copy or download into the cache) for the cold-start metric's
    /// <c>phase=fetch</c>; about zero on a cache hit; null when nothing is fetched here (a registry version, pulled by
    /// the replica itself).
    /// </summary>
    public TimeSpan? FetchDuration { get; init; }
}

/// <summary>Where a replica's server finds its model.</summary>
public abstract record ModelLocation;

/// <summary>A version in Turbine's registry; the replica pulls it (<c>turbine serve --registry URL --model NAME:VERSION</c>).</summary>
/// <param name="Registry">The registry's base URL.</param>
/// <param name="Model">The registered model name.</param>
/// <param name="Version">The resolved version number.</param>
public sealed record RegistryModelLocation(Uri Registry, string Model, long Version) : ModelLocation;

/// <summary>A Triton repository folder on this machine (a <c>file://</c> URI, or what an <c>s3://</c> URI was fetched into).</summary>
/// <param name="RepositoryPath">The absolute path of a folder in Triton's repository layout.</param>
public sealed record FolderModelLocation(string RepositoryPath) : ModelLocation;
