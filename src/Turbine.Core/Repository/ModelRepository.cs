using System.Globalization;
using System.Text;

namespace Turbine.Core.Repository;

/// <summary>
/// A Triton-layout model repository on the local file system: <c>&lt;repo&gt;/&lt;model&gt;/config.pbtxt</c> and
/// numeric version folders <c>&lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/</c>; or, opened with <see cref="Open"/>, a path
/// that is itself one model (a model folder, or one <c>.onnx</c> file), served under one name
/// (<see cref="ModelRepositoryLayout"/>).
/// </summary>
public sealed partial class ModelRepository
{
    public const string ConfigFileName = "config.pbtxt";

    /// <summary>The one model's name in a single-model layout; null for a repository.</summary>
    private readonly string? _single;

    public ModelRepository(string root)
    {
        Root = Path.GetFullPath(root);
    }

    private ModelRepository(string root, ModelRepositoryLayout layout, string name, string? modelFileName)
    {
        Root = Path.GetFullPath(root);
        Layout = layout;
        _single = name;
        ModelFileName = modelFileName;
    }

    /// <summary>The repository folder; in a single-model layout the model's folder (for a file, the folder holding it).</summary>
    public string Root { get; }

    /// <summary>What the path holds.</summary>
    public ModelRepositoryLayout Layout { get; }

    /// <summary>The model file's name in the <see cref="ModelRepositoryLayout.ModelFile"/> layout; null otherwise.</summary>
    public string? ModelFileName { get; }

    /// <summary>Model folder names, sorted ordinally. Hidden folders (starting with '.') are skipped.</summary>
    public IReadOnlyList<string> ListModels()
    {
        if (_single is not null)
        {
            return [_single];
        }

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

    public bool Contains(string model) => _single is null
        ? IsSafeName(model) && Directory.Exists(ModelPath(model))
        : model == _single && Directory.Exists(Root);

    /// <summary>The model's folder: <c>&lt;repo&gt;/&lt;model&gt;</c>, or the root in a single-model layout.</summary>
    public string ModelPath(string model) => model == _single ? Root : Path.Combine(Root, model);

    public string ConfigPath(string model) => Path.Combine(ModelPath(model), ConfigFileName);

    /// <summary>Numeric version folders of a model, ascending. Non-numeric folders are ignored, as Triton does.</summary>
    public IReadOnlyList<long> ListVersions(string model)
    {
        if (Layout == ModelRepositoryLayout.ModelFile)
        {
            // The file is version 1, in place: its folder is the version folder.
            return model == _single && File.Exists(Path.Combine(Root, ModelFileName!)) ? [1] : [];
        }

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
        Layout == ModelRepositoryLayout.ModelFile && model == _single
            ? Root
            : Path.Combine(ModelPath(model), version.ToString(CultureInfo.InvariantCulture));

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
