using System.Text.RegularExpressions;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

/// <summary>One file of an artifact: its path inside the artifact ('/'-separated), size and a change stamp (mtime and inode, or ETag).</summary>
internal sealed record ArtifactEntry(string RelativePath, long Size, string Stamp);

/// <summary>Where each file of an artifact goes in the cached Triton repository, and the models it holds.</summary>
internal sealed record ArtifactLayout(IReadOnlyList<string> ModelNames, IReadOnlyList<(ArtifactEntry Entry, string Destination)> Files);

/// <summary>A failure while fetching an artifact, turned into a <see cref="ControlResult{T}"/> by the resolver.</summary>
internal sealed class ArtifactException(ControlErrorKind kind, string message) : Exception(message)
{
    public ControlErrorKind Kind { get; } = kind;
}

public sealed partial class RevisionResolver
{
    /// <summary>
    /// Classifies an artifact by the paths of its files: a single <c>.onnx</c> file (one model named after the
    /// deployment, version 1), a model folder (<c>config.pbtxt</c> and/or numeric version folders at its top; one model
    /// named after the folder) or a Triton repository (model folders; files at its top are not copied).
    /// </summary>
    internal static ArtifactLayout Classify(IReadOnlyList<ArtifactEntry> entries, bool singleFile, string folderName, string deployment, string uri)
    {
        if (singleFile)
        {
            var file = entries[0];
            if (!file.RelativePath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArtifactException(ControlErrorKind.Invalid,
                    $"storageUri '{uri}' names the file '{file.RelativePath}'; a single file must be an ONNX model (.onnx), else name a model folder or a Triton repository");
            }

            if (!ModelNamePattern().IsMatch(deployment))
            {
                throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': the deployment name '{deployment}' is not a valid model name for a single-file model");
            }

            return new ArtifactLayout([deployment], [(file, deployment + "/1/model.onnx")]);
        }

        if (entries.Count == 0)
        {
            throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}' names an empty folder; expected a Triton repository or a model folder");
        }

        if (IsModelFolder(entries.Select(e => e.RelativePath)))
        {
            if (!ModelNamePattern().IsMatch(folderName))
            {
                throw new ArtifactException(ControlErrorKind.Invalid,
                    $"storageUri '{uri}' is a model folder named '{folderName}', which is not a valid model name (1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit)");
            }

            return new ArtifactLayout([folderName], [.. entries.Select(e => (e, folderName + "/" + e.RelativePath))]);
        }

        var models = entries.Where(e => e.RelativePath.Contains('/', StringComparison.Ordinal))
            .GroupBy(e => e.RelativePath[..e.RelativePath.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (models.Count == 0)
        {
            throw new ArtifactException(ControlErrorKind.Invalid,
                $"storageUri '{uri}' is neither a Triton repository (model folders) nor a model folder (config.pbtxt or numeric version folders)");
        }

        foreach (var model in models)
        {
            if (!IsModelFolder(model.Select(e => e.RelativePath[(model.Key.Length + 1)..])))
            {
                throw new ArtifactException(ControlErrorKind.Invalid,
                    $"storageUri '{uri}': folder '{model.Key}' of the repository is not a model folder (no config.pbtxt and no numeric version folder)");
            }

            if (!ModelNamePattern().IsMatch(model.Key))
            {
                throw new ArtifactException(ControlErrorKind.Invalid,
                    $"storageUri '{uri}': model folder '{model.Key}' is not a valid model name (1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit)");
            }
        }

        return new ArtifactLayout([.. models.Select(m => m.Key)], [.. models.SelectMany(m => m).Select(e => (e, e.RelativePath))]);
    }

    /// <summary>Whether files at these paths (relative to a folder) make it a Triton model folder: the server's rule.</summary>
    private static bool IsModelFolder(IEnumerable<string> paths) => Turbine.Core.Repository.ModelRepository.IsModelFolder(paths);

    /// <summary>
    /// Why a path inside an artifact (an S3 key after the prefix, a file name) is refused, or null: no empty, <c>.</c>
    /// or <c>..</c> segments, no absolute path, no backslash or control character.
    /// </summary>
    internal static string? CheckRelativePath(string path)
    {
        if (path.Length == 0 || path[0] == '/')
        {
            return "is empty or absolute";
        }

        if (path.Any(c => c is '\\' || char.IsControl(c)))
        {
            return "contains a backslash or control character";
        }

        return path.Split('/').Any(s => s.Length == 0 || s is "." or "..") ? "has an empty, '.' or '..' segment" : null;
    }

    /// <summary>The registry's model name rule, which the replica's server applies to model folder names too.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ModelNamePattern();
}
