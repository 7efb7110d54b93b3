namespace Turbine.Client.Registry;

/// <summary>A version with its parentVersion chain (<c>GET …/versions/{v}/lineage</c>).</summary>
public sealed record RegistryVersionLineage
{
    /// <summary>The version asked about.</summary>
    public RegistryModelVersion? Version { get; init; }

    /// <summary>Its parentVersion chain, nearest parent first.</summary>
    public IReadOnlyList<RegistryModelVersion> Ancestors { get; init; } = [];

    /// <summary>The versions derived from it (children, grandchildren…), ascending.</summary>
    public IReadOnlyList<RegistryModelVersion> Descendants { get; init; } = [];
}
