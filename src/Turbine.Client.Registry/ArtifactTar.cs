using System.Formats.Tar;
using System.Globalization;

namespace Turbine.Client.Registry;

/// <summary>
/// Extracts a tar artifact, shared by <c>turbine models pull</c> and the server's registry materializer. Only regular
/// files and directories are extracted; every other entry (symbolic and hard links, character and block devices,
/// FIFOs, sparse files, ...) is refused, links included even when they would stay inside the folder: a model folder
/// never needs one, and refusing them all leaves nothing to resolve. Names must be relative without <c>..</c>;
/// permissions, owners and times from the tar are not applied. The entry count and the total bytes are bounded
/// (<see cref="TarExtractionLimits"/>) before anything is written. A refusal is an <see cref="InvalidDataException"/>
/// naming the entry and its type; the caller extracts into a staging folder and deletes it on failure.
/// </summary>
public static class ArtifactTar
{
    /// <summary>Extracts the tar at <paramref name="tarPath"/> into <paramref name="destination"/> (created if missing).</summary>
    /// <param name="tarPath">The tar file.</param>
    /// <param name="destination">The folder to extract into; the caller deletes it when this throws.</param>
    /// <param name="limits">The most entries and bytes the tar may hold.</param>
    /// <param name="ct">Cancels the extraction.</param>
    /// <exception cref="InvalidDataException">An entry is refused (its type, its name, or a limit); the message names it.</exception>
    public static async Task ExtractAsync(string tarPath, string destination, TarExtractionLimits limits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        await using var stream = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using var reader = new TarReader(stream);
        var entries = 0;
        long bytes = 0;
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            if (++entries > limits.MaxEntries)
            {
                throw new InvalidDataException($"the tar artifact has more than {limits.MaxEntries.ToString(CultureInfo.InvariantCulture)} entries (the extraction limit)");
            }

            var isFile = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
            if (!isFile && entry.EntryType != TarEntryType.Directory)
            {
                throw new InvalidDataException($"tar entry '{entry.Name}' is a {Describe(entry.EntryType)}; artifacts may hold only regular files and directories");
            }

            var target = TargetPath(root, entry.Name);
            if (target is null)
            {
                continue; // "." or "./": the root itself
            }

            if (!isFile)
            {
                Directory.CreateDirectory(target);
                continue;
            }

            bytes += entry.Length;
            if (entry.Length < 0 || bytes > limits.MaxBytes)
            {
                throw new InvalidDataException($"the tar artifact holds more than {limits.MaxBytes.ToString(CultureInfo.InvariantCulture)} bytes of files (the extraction limit), reached at entry '{entry.Name}'");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            FileStream file;
            try
            {
                file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            }
            catch (IOException) when (Path.Exists(target))
            {
                throw new InvalidDataException($"tar entry '{entry.Name}' appears twice or collides with a folder");
            }

            await using (file.ConfigureAwait(false))
            {
                if (entry.DataStream is { } data)
                {
                    await CopyExactlyAsync(data, file, entry.Length, entry.Name, ct).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The absolute path inside <paramref name="root"/> an entry name maps to; null for the root itself.</summary>
    private static string? TargetPath(string root, string name)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal) || name[0] == '/' || name.Contains('\\', StringComparison.Ordinal) || Path.IsPathRooted(name))
        {
            throw new InvalidDataException($"tar entry '{name}' has an absolute or unusable path; entries must be relative paths inside the artifact");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw new InvalidDataException($"tar entry '{name}' has a '..' path; entries must stay inside the artifact");
        }

        if (parts.Length == 0)
        {
            return null;
        }

        var target = Path.GetFullPath(Path.Join(root, string.Join('/', parts)));
        return target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? target
            : throw new InvalidDataException($"tar entry '{name}' leads outside the artifact");
    }

    private static async Task CopyExactlyAsync(Stream source, Stream target, long length, string name, CancellationToken ct)
    {
        var buffer = new byte[81920];
        var left = length;
        while (left > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new InvalidDataException($"tar entry '{name}' is truncated");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            left -= read;
        }
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.HardLink => "hard link",
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "FIFO",
        TarEntryType.SparseFile => "sparse file",
        _ => $"{type} entry",
    };
}
