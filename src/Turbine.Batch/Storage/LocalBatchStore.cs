namespace Turbine.Batch.Storage;

/// <summary>Local files: atomic writes through a temporary file in the same folder, flushed to disk, then renamed.</summary>
internal sealed class LocalBatchStore : IBatchStore
{
    public Task<Stream> OpenReadAsync(string path, bool seekable, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(OpenRegular(path));

    private static FileStream OpenRegular(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"'{path}' does not exist", path);
        }

        if (info.LinkTarget is not null && new FileInfo(info.ResolveLinkTarget(true)!.FullName) is { Exists: false })
        {
            throw new IOException($"'{path}' is a dangling link");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (!stream.CanSeek || !IsRegular(path))
        {
            stream.Dispose();
            throw new IOException($"'{path}' is not a regular file");
        }

        return stream;
    }

    private static bool IsRegular(string path)
    {
        // FIFOs and devices report a zero length and cannot be told apart portably; refuse what FileInfo does not call a file.
        var target = new FileInfo(path).LinkTarget is null ? path : new FileInfo(path).ResolveLinkTarget(true)!.FullName;
        return (File.GetAttributes(target) & (FileAttributes.Device | FileAttributes.Directory)) == 0;
    }

    public Task<string> IdentityAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        return Task.FromResult(info.Exists ? $"{Path.GetFullPath(path)}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : throw new FileNotFoundException($"'{path}' does not exist", path));
    }

    public async Task<string?> ReadTextAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;

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
