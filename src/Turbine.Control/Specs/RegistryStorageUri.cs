namespace Turbine.Control.Specs;

/// <summary>A model in Turbine's registry: <see cref="Reference"/> is the registry's own reference text (<c>fraud@production</c>, <c>fraud:3</c>).</summary>
/// <param name="Original">The URI as written.</param>
/// <param name="Model">The registry model name.</param>
/// <param name="Stage">The stage after <c>@</c> (Staging, Production, Archived), normalised to the registry's spelling.</param>
/// <param name="Alias">The alias after <c>@</c> when it is not a stage.</param>
/// <param name="Version">The version after <c>:</c>.</param>
public sealed record RegistryStorageUri(string Original, string Model, string? Stage, string? Alias, long? Version) : StorageUri(Original)
{
    public string Reference => Version is { } v
        ? Model + ":" + v.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Model + "@" + (Stage ?? Alias);
}
