namespace Turbine.Registry.Artifacts;

/// <summary>
/// A folder of in-progress upload files. Each file is created exclusively and held open with
/// <see cref="FileShare.None"/> (an advisory <c>flock</c> on Unix) for as long as its upload runs, so that the
/// clean-up of stale files left by a crash (<see cref="RemoveStale"/>) skips files another store instance or process
/// is still writing.
/// </summary>
internal sealed class ArtifactTempDirectory
{
    internal const string Suffix = ".part";

    public ArtifactTempDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Creates a new, exclusively held temp file; the caller disposes it (and deletes it on failure).</summary>
    public FileStream Create(out string path)
    {
        path = System.IO.Path.Combine(Path, Guid.NewGuid().ToString("N") + Suffix);
        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
        });
    }

    /// <summary>Deletes the temp files nobody holds open (left by a crash); returns how many.</summary>
    public int RemoveStale()
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(Path))
        {
            try
            {
                // Taking the exclusive lock fails while an upload holds the file; then it is not stale. Read access
                // is enough for the lock, and works for a file already made read-only just before a crash.
                using (new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 1))
                {
                    File.Delete(file);
                }

                removed++;
            }
            catch (IOException)
            {
                // In use by a live upload, or gone already.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to remove.
            }
        }

        return removed;
    }

    /// <summary>Deletes <paramref name="path"/> when it exists; never throws (used on failure paths).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
