using System.Globalization;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using Turbine.Core.Repository;

namespace Turbine.Control.Runtime;

public sealed partial class RevisionResolver
{
    /// <summary>
    /// A <c>file://</c> URI: the path with every link resolved must lie under an allowed root; the folder is walked
    /// without following links (a link, FIFO, device or socket inside is refused, hidden entries are skipped), within
    /// the file-count, size and depth limits; then it is classified and copied into the cache. Each file is opened
    /// without following links and checked to be the regular file the walk saw.
    /// </summary>
    private async Task<ControlResult<RevisionModel>> ResolveFileAsync(FileStorageUri uri, string deployment, CancellationToken cancellationToken)
    {
        if (_options.AllowedFileRoots.Count == 0)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Invalid,
                $"storageUri '{uri.Original}': file:// URIs are refused because no folder is allowed; list the folders models may come from in ResolverOptions.AllowedFileRoots");
        }

        var real = NativeFiles.RealPath(uri.Path);
        if (real is null)
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.NotFound, $"storageUri '{uri.Original}': the path does not exist");
        }

        // Roots are resolved on every call: one created (or re-linked) after start counts as it is now.
        var roots = _options.AllowedFileRoots.Select(r => NativeFiles.RealPath(r)).OfType<string>();
        if (!roots.Any(root => real == root || real.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal)))
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Invalid,
                $"storageUri '{uri.Original}' is outside the allowed folders (ResolverOptions.AllowedFileRoots: {string.Join(", ", _options.AllowedFileRoots)}) once its links are resolved");
        }

        if (!NativeFiles.TryStat(real, followLinks: false, out var stat))
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.NotFound, $"storageUri '{uri.Original}': the path does not exist");
        }

        var files = new Dictionary<string, (string Path, NativeFiles.FileStat Stat)>(StringComparer.Ordinal);
        var entries = new List<ArtifactEntry>();
        bool singleFile;
        if (stat.IsRegularFile)
        {
            singleFile = true;
            CheckLimits(uri.Original, 1, stat.Size);
            var name = Path.GetFileName(real);
            files[name] = (real, stat);
            entries.Add(new ArtifactEntry(name, stat.Size, Stamp(real, stat)));
        }
        else if (stat.IsDirectory)
        {
            singleFile = false;
            long total = 0;
            Walk(uri.Original, real, "", 0, files, entries, ref total);
        }
        else
        {
            return ControlResult<RevisionModel>.Fail(ControlErrorKind.Invalid, $"storageUri '{uri.Original}' is neither a regular file nor a folder (a FIFO, device or socket)");
        }

        var folderName = Path.GetFileName(uri.Path.TrimEnd('/'));
        var layout = Classify(entries, singleFile, folderName, deployment, uri.Original);
        var model = await FetchAsync(
            uri.Original,
            "file\0" + real + "\0" + uri.Path,
            layout,
            (entry, _) => Task.FromResult(OpenChecked(uri.Original, entry, files[entry.RelativePath])),
            cancellationToken).ConfigureAwait(false);
        return ControlResult<RevisionModel>.Ok(model);
    }

    private void Walk(
        string uri,
        string folder,
        string relative,
        int depth,
        Dictionary<string, (string Path, NativeFiles.FileStat Stat)> files,
        List<ArtifactEntry> entries,
        ref long total)
    {
        if (depth > _options.MaxArtifactDepth)
        {
            throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': '{relative}' is nested deeper than {_options.MaxArtifactDepth} folders (ResolverOptions.MaxArtifactDepth)");
        }

        IEnumerable<string> names;
        try
        {
            names = [.. Directory.EnumerateFileSystemEntries(folder).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactException(ControlErrorKind.Unavailable, $"storageUri '{uri}': folder '{(relative.Length == 0 ? "." : relative)}' cannot be read: {e.Message}");
        }

        foreach (var name in names)
        {
            if (name.StartsWith('.'))
            {
                continue; // hidden (.git, editor files): not part of a model
            }

            var path = Path.Combine(folder, name);
            var rel = relative.Length == 0 ? name : relative + "/" + name;
            if (CheckRelativePath(rel) is { } bad)
            {
                throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': the name '{rel}' {bad}");
            }

            if (!NativeFiles.TryStat(path, followLinks: false, out var stat))
            {
                throw new ArtifactException(ControlErrorKind.Unavailable, $"storageUri '{uri}': '{rel}' vanished while the folder was read; try again");
            }

            if (stat.IsSymbolicLink)
            {
                throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': '{rel}' is a symbolic link; links are refused inside a model folder (copy the file in instead)");
            }

            if (stat.IsDirectory)
            {
                Walk(uri, path, rel, depth + 1, files, entries, ref total);
                continue;
            }

            if (!stat.IsRegularFile)
            {
                throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': '{rel}' is not a regular file (a FIFO, device or socket); only regular files and folders are read");
            }

            total += stat.Size;
            CheckLimits(uri, entries.Count + 1, total);
            files[rel] = (path, stat);
            entries.Add(new ArtifactEntry(rel, stat.Size, Stamp(path, stat)));
        }
    }

    private void CheckLimits(string uri, int count, long bytes)
    {
        if (count > _options.MaxArtifactFiles)
        {
            throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}' has more than {_options.MaxArtifactFiles} files (ResolverOptions.MaxArtifactFiles)");
        }

        if (bytes > _options.MaxArtifactBytes)
        {
            throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}' holds more than {_options.MaxArtifactBytes} bytes (ResolverOptions.MaxArtifactBytes)");
        }
    }

    /// <summary>Size, modification time and inode: what changes when a file is edited or replaced.</summary>
    private static string Stamp(string path, NativeFiles.FileStat stat) => string.Create(
        CultureInfo.InvariantCulture,
        $"{stat.Size}:{File.GetLastWriteTimeUtc(path).Ticks}:{stat.Inode}:{stat.DeviceMajor}:{stat.DeviceMinor}");

    /// <summary>Opens a walked file without following links; refused unless it is still the regular file the walk saw, with no link on its path.</summary>
    private static Stream OpenChecked(string uri, ArtifactEntry entry, (string Path, NativeFiles.FileStat Stat) file)
    {
        if (NativeFiles.RealPath(file.Path) != file.Path)
        {
            throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': the path of '{entry.RelativePath}' changed to go through a link while it was read");
        }

        var handle = NativeFiles.OpenReadNoFollow(file.Path);
        if (handle is null)
        {
            throw new ArtifactException(ControlErrorKind.Unavailable, $"storageUri '{uri}': '{entry.RelativePath}' cannot be opened (it vanished or became a link); try again");
        }

        try
        {
            if (!NativeFiles.TryStat(handle, out var now) || !now.IsRegularFile || !now.SameFile(file.Stat))
            {
                throw new ArtifactException(ControlErrorKind.Invalid, $"storageUri '{uri}': '{entry.RelativePath}' was replaced while it was read (no longer the regular file first seen)");
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
