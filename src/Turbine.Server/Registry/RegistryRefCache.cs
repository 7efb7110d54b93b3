using System.Text.Json;

namespace Turbine.Server.Registry;

/// <summary>
/// <c>&lt;cache&gt;/refs.json</c>: for each reference, the version it last resolved to and was served, so a server
/// restarted while the registry is down can serve it again from the blob cache. Written atomically (temp + rename).
/// </summary>
internal sealed class RegistryRefCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly string _path;
    private readonly Dictionary<string, CachedRef> _entries;

    public RegistryRefCache(string cacheDirectory)
    {
        _path = Path.Combine(cacheDirectory, "refs.json");
        _entries = Read(_path);
    }

    public CachedRef? Get(string reference) => _entries.GetValueOrDefault(reference);

    public void Set(string reference, CachedRef entry)
    {
        _entries[reference] = entry;
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_entries, Json));
        File.Move(temp, _path, overwrite: true);
    }

    private static Dictionary<string, CachedRef> Read(string path)
    {
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, CachedRef>>(File.ReadAllText(path), Json) ?? new(StringComparer.Ordinal)
                : new(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new(StringComparer.Ordinal); // a damaged file only costs the offline fallback
        }
    }
}

/// <summary>One entry of <c>refs.json</c>.</summary>
internal sealed record CachedRef(string Model, long Version, string Sha256, string Packing, string? FileName);
