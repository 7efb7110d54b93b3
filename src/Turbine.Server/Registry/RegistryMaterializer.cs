using System.Globalization;
using Turbine.Client.Registry;
using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.Repository;

namespace Turbine.Server.Registry;

/// <summary>
/// Turns a cached artifact blob into a Triton model folder <c>&lt;repository&gt;/&lt;model&gt;/&lt;version&gt;/</c> numbered
/// with the registry version, and the config to load it with (passed to the model manager as a config override, so
/// the served name is the registry model name and exactly that version is selected).
/// </summary>
/// <remarks>
/// A <c>file</c> artifact becomes <c>&lt;version&gt;/model.onnx</c> with a config derived from the model. A <c>tar</c>
/// artifact is a Triton model folder: its <c>config.pbtxt</c> (optional) is used with <c>name</c> set to the model and
/// <c>version_policy</c> set to this version; the highest numeric version folder in it becomes the registry version's
/// folder; without a version folder, the <c>.onnx</c> file at its root is the model; every other root entry (labels,
/// warmup data) is placed in the model folder. A tar holding one folder that holds these is read from that folder.
/// </remarks>
internal static class RegistryMaterializer
{
    public static async Task<string> MaterializeAsync(string repository, CachedRef artifact, string blobPath, string cacheDirectory,
        TarExtractionLimits extraction, ModelFileLimits fileLimits, CancellationToken cancellationToken)
    {
        var modelDir = Path.Combine(repository, artifact.Model);
        var versionDir = Path.Combine(modelDir, artifact.Version.ToString(CultureInfo.InvariantCulture));
        var staging = Path.Combine(cacheDirectory, "staging", Guid.NewGuid().ToString("N"));
        var stagedVersion = Path.Combine(staging, "version");
        var stagedRoot = Path.Combine(staging, "root");
        Directory.CreateDirectory(stagedVersion);
        Directory.CreateDirectory(stagedRoot);
        try
        {
            ModelConfig config;
            if (string.Equals(artifact.Packing, "tar", StringComparison.OrdinalIgnoreCase))
            {
                config = await StageTarAsync(blobPath, staging, stagedVersion, stagedRoot, artifact, extraction, fileLimits, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                File.Copy(blobPath, Path.Combine(stagedVersion, "model.onnx"));
                config = new ModelConfig();
            }

            config = config with { Name = artifact.Model, VersionPolicy = ModelVersionPolicy.Specific(artifact.Version) };
            var json = ModelConfigJson.ToJson(config);

            // Nothing in the served repository changes until the artifact staged completely.
            Directory.CreateDirectory(modelDir);
            foreach (var entry in Directory.EnumerateFileSystemEntries(stagedRoot))
            {
                MoveReplacing(entry, Path.Combine(modelDir, Path.GetFileName(entry)));
            }

            if (Directory.Exists(versionDir))
            {
                Directory.Delete(versionDir, recursive: true);
            }

            Directory.Move(stagedVersion, versionDir);
            return json;
        }
        catch (ModelConfigException e)
        {
            throw new InvalidDataException($"the config.pbtxt in the artifact of '{artifact.Model}' version {artifact.Version} is invalid: {e.Message}", e);
        }
        catch (InferenceException e)
        {
            throw new InvalidDataException($"the artifact of '{artifact.Model}' version {artifact.Version}: {e.Message}", e);
        }
        catch (InvalidDataException e) when (e.InnerException is null && e.Message.StartsWith("tar entry", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the artifact of '{artifact.Model}' version {artifact.Version} was refused: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Deletes the model's version folders other than <paramref name="keep"/> (their versions no longer serve).</summary>
    public static void RemoveOtherVersions(string repository, string model, long keep)
    {
        var repo = new ModelRepository(repository);
        foreach (var version in repo.ListVersions(model))
        {
            if (version != keep)
            {
                try
                {
                    Directory.Delete(repo.VersionPath(model, version), recursive: true);
                }
                catch (IOException)
                {
                    // Left for the next swap to remove; the version policy never selects it.
                }
            }
        }
    }

    private static async Task<ModelConfig> StageTarAsync(string blobPath, string staging, string stagedVersion, string stagedRoot, CachedRef artifact,
        TarExtractionLimits extraction, ModelFileLimits fileLimits, CancellationToken cancellationToken)
    {
        var extracted = Path.Combine(staging, "extract");
        Directory.CreateDirectory(extracted);
        await ArtifactTar.ExtractAsync(blobPath, extracted, extraction, cancellationToken).ConfigureAwait(false);
        var root = extracted;
        var top = Directory.GetFileSystemEntries(root);
        if (top.Length == 1 && Directory.Exists(top[0]) && !IsVersionFolder(top[0]))
        {
            root = top[0];
        }

        var configPath = Path.Combine(root, ModelRepository.ConfigFileName);
        var config = File.Exists(configPath)
            ? ModelConfigText.Parse(
                new ModelFiles(root, fileLimits).ReadAllText("", ModelRepository.ConfigFileName, ModelRepository.ConfigFileName, ModelFileKind.Config),
                $"{artifact.Model}:{artifact.Version} artifact config.pbtxt")
            : new ModelConfig();
        var versionFolder = Directory.EnumerateDirectories(root).Where(IsVersionFolder)
            .OrderBy(d => long.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture)).LastOrDefault();
        string? modelFile = null;
        if (versionFolder is not null)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(versionFolder))
            {
                MoveReplacing(entry, Path.Combine(stagedVersion, Path.GetFileName(entry)));
            }
        }
        else
        {
            var onnx = Directory.EnumerateFiles(root, "*.onnx").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            modelFile = config.DefaultModelFilename.Length > 0 && onnx.Contains(config.DefaultModelFilename) ? config.DefaultModelFilename
                : onnx.Contains("model.onnx") ? "model.onnx"
                : onnx.Count == 1 ? onnx[0]
                : throw new InvalidDataException($"the folder artifact of '{artifact.Model}' version {artifact.Version} has no numeric version folder and {(onnx.Count == 0 ? "no .onnx file" : "several .onnx files")} at its root");
            File.Move(Path.Combine(root, modelFile!), Path.Combine(stagedVersion, config.DefaultModelFilename.Length > 0 ? config.DefaultModelFilename : "model.onnx"));
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            var name = Path.GetFileName(entry);
            if (name != ModelRepository.ConfigFileName && entry != versionFolder && !IsVersionFolder(entry) && name != modelFile)
            {
                MoveReplacing(entry, Path.Combine(stagedRoot, name));
            }
        }

        return config;
    }

    private static bool IsVersionFolder(string path) =>
        Directory.Exists(path) && long.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0;

    private static void MoveReplacing(string source, string target)
    {
        if (Directory.Exists(source))
        {
            Directory.CreateDirectory(target);
            foreach (var child in Directory.EnumerateFileSystemEntries(source))
            {
                MoveReplacing(child, Path.Combine(target, Path.GetFileName(child)));
            }
        }
        else
        {
            File.Move(source, target, overwrite: true);
        }
    }
}
