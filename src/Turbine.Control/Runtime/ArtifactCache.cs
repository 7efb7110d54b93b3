using Turbine.Core.Repository;

namespace Turbine.Control.Runtime;

/// <summary>
/// The content-addressed folder the resolver copies <c>file://</c> and <c>s3://</c> artifacts into:
/// <c>&lt;cache&gt;/sha256-&lt;digest&gt;/</c>, each laid out as a Triton repository. A folder is written under
/// <c>.staging/</c> and renamed into place in one step, so a replica never sees a half-written folder and two resolvers
/// of the same content both end up with the one folder (the second rename loses and its copy is deleted). Files are
/// made read-only; a folder never changes once it is in place, so editing the source never changes a running replica.
/// </summary>
/// <remarks>
/// The cache holds at most <see cref="MaxBytes"/>: above it, the least recently used folders are evicted, except
/// those the reconciler protects (<see cref="Protect"/>: the revisions replicas serve, old and new during a rollout) and
/// those resolved within the grace period (resolved, not yet started). One controller owns a cache folder.
/// </remarks>
public sealed class ArtifactCache
{
    /// <summary>The prefix of a cached folder's name; the rest is the lower-case hex SHA-256 of its manifest.</summary>
    public const string FolderPrefix = "sha256-";

    /// <summary>The prefix of a folder revision's id; the rest is the first <see cref="ShortDigestLength"/> hex of its digest.</summary>
    public const string RevisionPrefix = "sha-";

    /// <summary>How many hex digits of the digest a revision id and version carry.</summary>
    public const int ShortDigestLength = 12;

    private const string StagingFolder = ".staging";
    private const string TrashFolder = ".trash";
    private const UnixFileMode ReadOnlyFile = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private HashSet<string> _protected = new(StringComparer.Ordinal);

    /// <summary>Opens (creating it when missing) the cache in <paramref name="directory"/>; leftovers of an interrupted write are deleted.</summary>
    /// <param name="directory">The cache folder (absolute).</param>
    /// <param name="maxBytes">Most bytes kept before least recently used folders are evicted.</param>
    /// <param name="gracePeriod">How long a folder just used is never evicted.</param>
    /// <param name="time">The clock for last-use times.</param>
    public ArtifactCache(string directory, long maxBytes, TimeSpan gracePeriod, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentNullException.ThrowIfNull(time);
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        GracePeriod = gracePeriod;
        _time = time;
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var leftover in new[] { StagingFolder, TrashFolder })
        {
            DeleteQuietly(Path.Combine(Directory, leftover));
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory, FolderPrefix + "*"))
        {
            var digest = Path.GetFileName(folder)[FolderPrefix.Length..];
            if (IsDigest(digest))
            {
                _entries[digest] = new Entry(FolderBytes(folder), new DateTimeOffset(System.IO.Directory.GetLastWriteTimeUtc(folder)));
            }
        }
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>Most bytes kept.</summary>
    public long MaxBytes { get; }

    /// <summary>How long a folder just used is never evicted.</summary>
    public TimeSpan GracePeriod { get; }

    /// <summary>The bytes the cached folders hold now.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Sum(e => e.Bytes);
            }
        }
    }

    /// <summary>The digests cached now.</summary>
    public IReadOnlyList<string> Digests
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The revision id of a folder with <paramref name="digest"/>: <c>sha-</c> and its first 12 hex digits.</summary>
    /// <param name="digest">The folder's lower-case hex SHA-256.</param>
    public static string RevisionIdOf(string digest) => RevisionPrefix + digest[..ShortDigestLength];

    /// <summary>The folder that holds <paramref name="digest"/> (whether or not it is cached).</summary>
    /// <param name="digest">The lower-case hex SHA-256.</param>
    public string PathOf(string digest) => Path.Combine(Directory, FolderPrefix + digest);

    /// <summary>
    /// Sets the revisions that must not be evicted (replaces the previous set): the reconciler calls this with every
    /// revision id a replica serves or a rollout is about to start, each time that set changes. Ids that are not
    /// folder revisions (<c>sha-…</c>) are ignored.
    /// </summary>
    /// <param name="revisionIds">The revision ids in use.</param>
    public void Protect(IEnumerable<string> revisionIds)
    {
        ArgumentNullException.ThrowIfNull(revisionIds);
        var set = new HashSet<string>(
            revisionIds.Where(id => id.StartsWith(RevisionPrefix, StringComparison.Ordinal) && id.Length == RevisionPrefix.Length + ShortDigestLength)
                .Select(id => id[RevisionPrefix.Length..]),
            StringComparer.Ordinal);
        lock (_lock)
        {
            _protected = set;
        }
    }

    /// <summary>The folder of <paramref name="digest"/> when it is cached (its last use is now), else null.</summary>
    /// <param name="digest">The lower-case hex SHA-256.</param>
    public string? TryGet(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (!IsDigest(digest))
        {
            return null;
        }

        var path = PathOf(digest);
        lock (_lock)
        {
            if (!System.IO.Directory.Exists(path))
            {
                _entries.Remove(digest);
                return null;
            }

            var bytes = _entries.TryGetValue(digest, out var entry) ? entry.Bytes : FolderBytes(path);
            _entries[digest] = new Entry(bytes, _time.GetUtcNow());
            return path;
        }
    }

    /// <summary>A new, empty staging folder on the cache's file system; <see cref="Commit"/> or <see cref="Discard"/> it.</summary>
    internal string CreateStaging()
    {
        var staging = Path.Combine(Directory, StagingFolder, Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>
    /// Moves a completely written staging folder into place as <paramref name="digest"/> (or discards it when another
    /// resolver got there first), makes its files read-only, evicts above the limit, and returns the folder.
    /// </summary>
    internal string Commit(string staging, string digest, long bytes)
    {
        if (!IsDigest(digest))
        {
            throw new ArgumentException($"'{digest}' is not a lower-case hex SHA-256", nameof(digest));
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, ReadOnlyFile);
        }

        var path = PathOf(digest);
        lock (_lock)
        {
            if (System.IO.Directory.Exists(path))
            {
                DeleteQuietly(staging);
            }
            else
            {
                try
                {
                    System.IO.Directory.Move(staging, path);
                }
                catch (IOException) when (System.IO.Directory.Exists(path))
                {
                    DeleteQuietly(staging); // another cache on this folder renamed the same content first
                }
            }

            _entries[digest] = new Entry(_entries.TryGetValue(digest, out var known) ? known.Bytes : bytes, _time.GetUtcNow());
            Trim(digest);
            return path;
        }
    }

    /// <summary>Deletes a staging folder whose write failed.</summary>
    internal void Discard(string staging) => DeleteQuietly(staging);

    /// <summary>Evicts least recently used, unprotected folders out of their grace period until the cache fits (never <paramref name="keep"/>).</summary>
    private void Trim(string keep)
    {
        var total = _entries.Values.Sum(e => e.Bytes);
        if (total <= MaxBytes)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var candidates = _entries
            .Where(e => e.Key != keep && !_protected.Contains(e.Key[..ShortDigestLength]) && now - e.Value.LastUsed >= GracePeriod)
            .OrderBy(e => e.Value.LastUsed)
            .ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        foreach (var (digest, entry) in candidates)
        {
            if (total <= MaxBytes)
            {
                break;
            }

            var trash = Path.Combine(Directory, TrashFolder, Guid.NewGuid().ToString("N"));
            try
            {
                System.IO.Directory.CreateDirectory(Path.Combine(Directory, TrashFolder));
                System.IO.Directory.Move(PathOf(digest), trash); // gone from its name in one step
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            _entries.Remove(digest);
            total -= entry.Bytes;
            DeleteQuietly(trash);
        }
    }

    internal static bool IsDigest(string text) =>
        text.Length == 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static long FolderBytes(string folder)
    {
        long bytes = 0;
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            if (NativeFiles.TryStat(file, followLinks: false, out var stat) && stat.IsRegularFile)
            {
                bytes += stat.Size;
            }
        }

        return bytes;
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which clears .staging and .trash.
        }
    }

    private readonly record struct Entry(long Bytes, DateTimeOffset LastUsed);
}
