using System.Globalization;

namespace Turbine.Core.Repository;

public sealed partial class ModelRepository
{
    /// <summary>The extension of the one model file the <see cref="ModelRepositoryLayout.ModelFile"/> layout serves.</summary>
    public const string OnnxExtension = ".onnx";

    /// <summary>
    /// Opens a repository path, deciding once what it holds, by the rules KServe's storage initializer makes necessary
    /// (it copies a <c>storageUri</c>'s folder, or its one file, into <c>/mnt/models</c>):
    /// <list type="bullet">
    /// <item>a file: it must be an ONNX model (<c>.onnx</c>); served as version 1 (<see cref="ModelRepositoryLayout.ModelFile"/>);</item>
    /// <item>a folder with <c>config.pbtxt</c> or a numeric version folder at its top: one model folder
    /// (<see cref="ModelRepositoryLayout.ModelFolder"/>; <see cref="IsModelFolder"/>);</item>
    /// <item>a folder holding exactly one <c>.onnx</c> file and no other folder: that file as version 1;</item>
    /// <item>anything else (a missing folder too): a Triton repository.</item>
    /// </list>
    /// Hidden entries (starting with '.') are not looked at.
    /// </summary>
    /// <param name="path">The repository path.</param>
    /// <param name="singleModelName">The name a single-model layout is served under; null: the folder's name, or the
    /// file's name without <c>.onnx</c>. Not used for a Triton repository, whose folders name its models.</param>
    /// <exception cref="ArgumentException">A file that is not <c>.onnx</c>, or a model name that cannot be one.</exception>
    public static ModelRepository Open(string path, string? singleModelName = null)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (File.Exists(full))
        {
            if (!full.EndsWith(OnnxExtension, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"model repository '{path}' is a file but not an ONNX model ({OnnxExtension}); give a Triton repository, a model folder or an .onnx file");
            }

            var fileName = Path.GetFileName(full);
            return new ModelRepository(Path.GetDirectoryName(full)!, ModelRepositoryLayout.ModelFile,
                SingleName(singleModelName, Path.GetFileNameWithoutExtension(fileName), path), fileName);
        }

        if (!Directory.Exists(full))
        {
            return new ModelRepository(full);
        }

        var files = Visible(Directory.EnumerateFiles(full)).ToList();
        var folders = Visible(Directory.EnumerateDirectories(full)).ToList();
        if (IsModelFolder(files.Concat(folders.Select(f => f + "/"))))
        {
            return new ModelRepository(full, ModelRepositoryLayout.ModelFolder, SingleName(singleModelName, Path.GetFileName(full), path), null);
        }

        var onnx = files.Where(f => f.EndsWith(OnnxExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        if (folders.Count == 0 && onnx.Count == 1)
        {
            return new ModelRepository(full, ModelRepositoryLayout.ModelFile,
                SingleName(singleModelName, Path.GetFileNameWithoutExtension(onnx[0]), path), onnx[0]);
        }

        return new ModelRepository(full);
    }

    /// <summary>
    /// Whether files at these paths (relative to a folder, '/'-separated; a folder as <c>name/</c>) make it a Triton model
    /// folder: <c>config.pbtxt</c> at its top, or a folder whose name is a positive whole number (a version).
    /// </summary>
    /// <param name="relativePaths">The paths of the folder's files (and, where known, its folders), relative to it.</param>
    public static bool IsModelFolder(IEnumerable<string> relativePaths) => relativePaths.Any(p =>
        p == ConfigFileName ||
        (p.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash &&
         long.TryParse(p.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0));

    private static IEnumerable<string> Visible(IEnumerable<string> entries) =>
        entries.Select(e => Path.GetFileName(e)).Where(n => n.Length > 0 && n[0] != '.');

    private static string SingleName(string? given, string derived, string path)
    {
        var name = given ?? derived;
        return IsSafeName(name) && name[0] != '.'
            ? name
            : throw new ArgumentException(given is null
                ? $"model repository '{path}' holds one model, and '{name}' (its name) cannot be a model name; give one with --model-name"
                : $"--model-name '{name}' cannot be a model name (no '/', '\\', and not '.' or '..')");
    }
}
