namespace Turbine.Registry.Domain;

/// <summary>Size limits on metadata; anything above is rejected with 400 and nothing is stored.</summary>
internal static class RegistryLimits
{
    /// <summary>A JSON metadata body or a Markdown card: 1 MiB.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>A description: 64 KiB characters.</summary>
    public const int MaxDescriptionLength = 64 * 1024;

    /// <summary>Tags, metrics or params per object.</summary>
    public const int MaxEntries = 256;

    /// <summary>A tag/metric/param key, an alias, owner, lineage field.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>A tag or param value, a lineage field.</summary>
    public const int MaxValueLength = 4096;
}
