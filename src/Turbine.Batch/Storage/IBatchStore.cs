namespace Turbine.Batch.Storage;

/// <summary>Where inputs are read and outputs, parts and manifests written: the local file system or S3.</summary>
public interface IBatchStore
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading. With <paramref name="seekable"/> a remote object is spooled to a
    /// temporary local file first (Parquet needs to seek); otherwise it is streamed.
    /// </summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="seekable">Whether the stream must seek.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    Task<Stream> OpenReadAsync(string path, bool seekable, CancellationToken cancellationToken);

    /// <summary>A string that changes when the object changes (size and modification time, or the ETag).</summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    Task<string> IdentityAsync(string path, CancellationToken cancellationToken);

    /// <summary>The whole (small) object as text, or null when it does not exist.</summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    Task<string?> ReadTextAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="path"/> atomically: readers see the old object or the whole new one, never part.</summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="cancellationToken">Stops the write (nothing is replaced).</param>
    Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken);

    /// <summary>Copies the object into <paramref name="destination"/>.</summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    Task CopyToAsync(string path, Stream destination, CancellationToken cancellationToken);

    /// <summary>The names (not paths) of the objects directly in the folder <paramref name="folder"/>.</summary>
    /// <param name="folder">Folder path or URI prefix.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancellationToken);

    /// <summary>Deletes the object if it exists.</summary>
    /// <param name="path">Path or URI.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary><paramref name="folder"/> joined with <paramref name="name"/>.</summary>
    /// <param name="folder">Folder path or URI prefix.</param>
    /// <param name="name">A plain file name.</param>
    string Combine(string folder, string name);
}
