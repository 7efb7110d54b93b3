using System.Globalization;
using System.Text;

namespace Turbine.Core.Repository;

/// <summary>
/// A Triton-layout model repository on the local file system: <c>&lt;repo&gt;/&lt;model&gt;/config.pbtxt</c> and
/// numeric version folders <c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/</c>.
/// </summary>
public sealed class ModelRepository
{
    public const string ConfigFileName = "config.pbtxt";

    public ModelRepository(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>Model folder names, sorted ordinally. Hidden folders (starting with '.') are skipped.</summary>
    public IReadOnlyList<string> ListModels()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(n => !string.IsNullOrEmpty(n) && n[0] != '.')
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public bool Contains(string model) => IsSafeName(model) && Directory.Exists(ModelPath(model));

    public string ModelPath(string model) => Path.Combine(Root, model);

    public string ConfigPath(string model) => Path.Combine(Root, model, ConfigFileName);

    /// <summary>Numeric version folders of a model, ascending. Non-numeric folders are ignored, as Triton does.</summary>
    public IReadOnlyList<long> ListVersions(string model)
    {
        var path = ModelPath(model);
        if (!Directory.Exists(path))
        {
            return [];
        }

        var versions = new List<long>();
        foreach (var dir in Directory.EnumerateDirectories(path))
        {
            var name = Path.GetFileName(dir);
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0)
            {
                versions.Add(v);
            }
        }

        versions.Sort();
        return versions;
    }

    public string VersionPath(string model, long version) =>
        Path.Combine(Root, model, version.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// A fingerprint of every file under a folder (relative path, size, modification time), so a poller can
    /// tell whether anything changed without reading file contents.
    /// </summary>
    public static string Fingerprint(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            sb.Append(Path.GetRelativePath(directory, file)).Append('|')
                .Append(info.Length).Append('|')
                .Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>A model name usable as a folder name: no path separators, not '.' or '..'.</summary>
    public static bool IsSafeName(string name) =>
        name.Length > 0 && name != "." && name != ".." &&
        name.IndexOfAny(['/', '\\', '\0']) < 0;
}
