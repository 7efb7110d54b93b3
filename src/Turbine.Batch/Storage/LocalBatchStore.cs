using Turbine.Core.Repository;

namespace Turbine.Batch.Storage;

/// <summary>Local files: atomic writes through a temporary file in the same folder, flushed to disk, then renamed.</summary>
internal sealed class LocalBatchStore : IBatchStore
{
    /// <summary>Largest manifest read as text (a manifest lists one line per part).</summary>
    internal const int MaxTextBytes = 256 << 20;

    public Task<Stream> OpenReadAsync(string path, bool seekable, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(OpenRegular(path));

    /// <summary>
    /// Opens <paramref name="path"/> only when lstat says it is a regular file: a link, FIFO, socket, device or folder
    /// is refused before it is opened (a FIFO would block the job forever, a device read without end), and the open
    /// itself neither follows a link nor blocks, then checks it got the same regular file (no swap in between).
    /// </summary>
    internal static FileStream OpenRegular(string path)
    {
        var before = Stat(path);
        var handle = NativeFiles.OpenReadNoFollow(path);
        if (handle is null)
        {
            throw new IOException($"'{path}' cannot be opened (it vanished or was replaced by a link)");
        }

        try
        {
            if (!NativeFiles.TryStat(handle, out var after) || !after.IsRegularFile || !after.SameFile(before))
            {
                throw new IOException($"'{path}' was replaced while it was opened (no longer the regular file first seen)");
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 1 << 16);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>lstat of <paramref name="path"/>, which must be a regular file (not a link to one); a clear error otherwise.</summary>
    private static NativeFiles.FileStat Stat(string path)
    {
        if (!NativeFiles.TryStat(path, followLinks: false, out var stat))
        {
            throw new FileNotFoundException($"'{path}' does not exist", path);
        }

        if (!stat.IsRegularFile)
        {
            var kind = stat.IsSymbolicLink ? "a symbolic link" : stat.IsDirectory ? "a folder" : "a FIFO, socket or device";
            throw new IOException($"'{path}' is {kind}, not a regular file; batch jobs read regular files only");
        }

        return stat;
    }

    public Task<string> IdentityAsync(string path, CancellationToken cancellationToken)
    {
        var stat = Stat(path);
        return Task.FromResult($"{Path.GetFullPath(path)}|{stat.Size}|{File.GetLastWriteTimeUtc(path).Ticks}");
    }

    public async Task<string?> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        if (!NativeFiles.TryStat(path, followLinks: false, out _))
        {
            return null;
        }

        var stream = OpenRegular(path);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > MaxTextBytes)
            {
                throw new IOException($"'{path}' is {stream.Length} bytes, more than the {MaxTextBytes} a manifest may have");
            }

            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                // A committed part must survive a machine crash, not only a killed process.
                await Task.Run(() => stream.Flush(flushToDisk: true), cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task CopyToAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        var source = OpenRegular(path);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList()
            : []);

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(path);
        return Task.CompletedTask;
    }

    public string Combine(string folder, string name) => Path.Combine(folder, name);
}
