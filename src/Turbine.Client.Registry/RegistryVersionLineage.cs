namespace Turbine.Client.Registry;

/// <summary>A version with its parentVersion chain (<c>GET …/versions/{v}/lineage</c>).</summary>
public sealed record RegistryVersionLineage
{
    public RegistryModelVersion? Version { get; init; }

    public IReadOnlyList<RegistryModelVersion> Ancestors { get; init; } = [];

    public IReadOnlyList<RegistryModelVersion> Descendants { get; init; } = [];
}
