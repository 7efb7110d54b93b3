namespace Turbine.Client.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Downloads a version's artifact (verified against the version's digest) into <paramref name="directory"/>: a
    /// file artifact as its file name, a tar artifact extracted. Nothing lands in the folder unless the digest matched
    /// and the tar extracted completely (only regular files and directories, within the <see cref="TarExtractionLimits"/>, the defaults unless given; see
    /// <see cref="ArtifactTar"/>). Returns the top-level paths written.
    /// </summary>
    public async Task<IReadOnlyList<string>> PullAsync(RegistryModelVersion version, string directory, CancellationToken ct = default) =>
        await PullAsync(version, directory, new TarExtractionLimits(), ct).ConfigureAwait(false);

    /// <inheritdoc cref="PullAsync(RegistryModelVersion, string, CancellationToken)"/>
    public async Task<IReadOnlyList<string>> PullAsync(RegistryModelVersion version, string directory, TarExtractionLimits limits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        Directory.CreateDirectory(directory);
        var staging = Path.Combine(directory, $".turbine-pull-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var isTar = string.Equals(version.Artifact.Packing, RegistryArtifact.TarPacking, StringComparison.OrdinalIgnoreCase);
            var blob = Path.Combine(staging, ".artifact");
            await DownloadArtifactAsync(version.Model, version.Version, blob, version.Artifact.Sha256.Length > 0 ? version.Artifact.Sha256 : null, ct).ConfigureAwait(false);
            var content = Path.Combine(staging, "content");
            Directory.CreateDirectory(content);
            if (isTar)
            {
                await ArtifactTar.ExtractAsync(blob, content, limits, ct).ConfigureAwait(false);
            }
            else
            {
                File.Move(blob, Path.Combine(content, SafeFileName(version)));
            }

            var written = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(content).Order(StringComparer.Ordinal))
            {
                var target = Path.Combine(directory, Path.GetFileName(entry));
                MoveReplacing(entry, target);
                written.Add(target);
            }

            return written;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The artifact's file name when it is a plain name, else <c>model.onnx</c> (never a path).</summary>
    internal static string SafeFileName(RegistryModelVersion version)
    {
        var name = version.Artifact.FileName;
        return string.IsNullOrEmpty(name) || name != Path.GetFileName(name) || name is "." or ".." ? "model.onnx" : name;
    }

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
