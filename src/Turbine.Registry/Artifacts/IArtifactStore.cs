namespace Turbine.Registry.Artifacts;

/// <summary>
/// A content-addressed blob store for model artifacts (a single file, or a folder packed as an uncompressed tar).
/// Blobs are named by the lowercase hex SHA-256 of their bytes. Implementations: the local file system (default)
/// and any S3-compatible object store.
/// </summary>
/// <remarks>
/// Contract every implementation keeps:
/// <list type="bullet">
/// <item>Uploads stream: the content is never held in memory whole; the digest is computed while writing.</item>
/// <item>Atomic: a blob becomes visible (to <see cref="StatAsync"/>/<see cref="OpenReadAsync"/>) only when it is
/// complete and its digest verified; a failed, cancelled or interrupted upload leaves nothing visible and no
/// half-written file behind (temporary data is removed, or ignored and cleaned on the next start).</item>
/// <item>Putting a blob that already exists is idempotent (the bytes are verified, the existing blob kept).</item>
/// </list>
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Well-known store name: <c>filesystem</c> or <c>s3</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Streams <paramref name="content"/> into the store. When <paramref name="expectedSha256"/> is given and the
    /// computed digest differs, throws <see cref="ArtifactDigestMismatchException"/> and stores nothing. When more
    /// than <paramref name="maxBytes"/> arrive, throws <see cref="ArtifactTooLargeException"/> and stores nothing.
    /// </summary>
    Task<ArtifactBlob> PutAsync(Stream content, string? expectedSha256, long? maxBytes, CancellationToken cancellationToken);

    /// <summary>The blob's size, or null when no complete blob has that digest.</summary>
    Task<ArtifactBlob?> StatAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Opens the blob for streaming read; throws <see cref="ArtifactNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Removes the blob; false when it was absent.</summary>
    Task<bool> DeleteAsync(string sha256, CancellationToken cancellationToken);
}
