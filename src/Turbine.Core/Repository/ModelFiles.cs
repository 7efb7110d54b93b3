using System.Globalization;
using System.Text;

namespace Turbine.Core.Repository;

/// <summary>
/// The one way to open a file a model config names (labels, warmup data, initial state, the model file,
/// <c>config.pbtxt</c>). A name must be relative without <c>..</c>; after every symlink is resolved it must lie
/// inside this folder; only a regular file is opened (its type is checked before the open, so a FIFO or device never
/// blocks or streams), it is opened without following links and checked again after the open (same file, still
/// regular), and it is read only up to its kind's size limit. Errors are <see cref="InferenceException"/>s
/// (<see cref="StatusCode.InvalidArgument"/>) that name the config field and the value as written, never the
/// resolved path, and do not tell a missing file from one outside the folder or a special file.
/// </summary>
public sealed class ModelFiles
{
    private readonly string _folder;

    /// <param name="folder">The folder every name must stay in: the model folder, or a version folder for the model file.</param>
    /// <param name="limits">The size limits for the files read through this object.</param>
    public ModelFiles(string folder, ModelFileLimits limits)
    {
        _folder = Path.GetFullPath(folder);
        Limits = limits;
    }

    public ModelFileLimits Limits { get; }

    /// <summary>
    /// The checked absolute path (no links in it) of a regular file inside the folder, under <paramref name="subfolder"/>
    /// (empty for the folder itself). For a backend that opens the file itself; its size is checked against the limit.
    /// </summary>
    public string Resolve(string subfolder, string value, string field, ModelFileKind kind)
    {
        var path = ResolveChecked(subfolder, value, field);
        if (!NativeFiles.TryStat(path, followLinks: false, out var stat) || !stat.IsRegularFile)
        {
            throw NotARegularFile(field, value);
        }

        CheckSize(stat.Size, field, value, kind);
        return path;
    }

    /// <summary>Like <see cref="Resolve"/>, but null instead of an error when the name does not give a usable file.</summary>
    public string? TryResolve(string subfolder, string value, string field, ModelFileKind kind)
    {
        try
        {
            return Resolve(subfolder, value, field, kind);
        }
        catch (InferenceException)
        {
            return null;
        }
    }

    /// <summary>The file's bytes (at most its kind's limit, else an error).</summary>
    public byte[] ReadAllBytes(string subfolder, string value, string field, ModelFileKind kind)
    {
        var path = ResolveChecked(subfolder, value, field);
        var limit = Limits.For(kind);
        if (!NativeFiles.TryStat(path, followLinks: false, out var before) || !before.IsRegularFile)
        {
            throw NotARegularFile(field, value);
        }

        CheckSize(before.Size, field, value, kind);
        using var handle = NativeFiles.OpenReadNoFollow(path);
        if (handle is null || !NativeFiles.TryStat(handle, out var after) || !after.IsRegularFile || !after.SameFile(before))
        {
            throw NotARegularFile(field, value);
        }

        CheckSize(after.Size, field, value, kind);

        // The size can still change under us: read at most limit + 1 bytes and refuse a file that had more.
        var buffer = new byte[(int)Math.Min(Math.Max(after.Size, 0) + 1, limit + 1)];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    CheckSize(buffer.Length, field, value, kind);
                }

                Array.Resize(ref buffer, (int)Math.Min(limit + 1, (long)buffer.Length * 2));
            }

            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total == buffer.Length ? buffer : buffer[..total];
    }

    /// <summary>The file as UTF-8 text.</summary>
    public string ReadAllText(string subfolder, string value, string field, ModelFileKind kind) =>
        Encoding.UTF8.GetString(ReadAllBytes(subfolder, value, field, kind));

    /// <summary>The file's lines (as <see cref="File.ReadAllLines(string)"/> splits them).</summary>
    public string[] ReadAllLines(string subfolder, string value, string field, ModelFileKind kind)
    {
        var lines = new List<string>();
        using var reader = new StringReader(ReadAllText(subfolder, value, field, kind));
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    /// <summary>True for a name that is relative and has no <c>..</c> part (checked before any file system access).</summary>
    public static bool IsSafeRelativeName(string value)
    {
        if (value.Length == 0 || value.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(value) || value[0] is '/' or '\\' or '~')
        {
            return false;
        }

        foreach (var part in value.Split('/', '\\'))
        {
            if (part == "..")
            {
                return false;
            }
        }

        return true;
    }

    private string ResolveChecked(string subfolder, string value, string field)
    {
        if (!IsSafeRelativeName(value))
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{field} '{value}' must be a relative path inside the model folder (no absolute path, no '..')");
        }

        // Both ends with every link resolved: a link may point anywhere inside the folder, never outside it.
        var root = NativeFiles.RealPath(_folder);
        var resolved = NativeFiles.RealPath(Path.Join(_folder, subfolder, value));
        if (root is null || resolved is null || !IsInside(resolved, root))
        {
            throw NotARegularFile(field, value);
        }

        return resolved;
    }

    private static bool IsInside(string path, string root) =>
        path.Length > root.Length + 1
        && path.StartsWith(root, StringComparison.Ordinal)
        && (root.EndsWith('/') || path[root.Length] == '/');

    private void CheckSize(long size, string field, string value, ModelFileKind kind)
    {
        var limit = Limits.For(kind);
        if (size > limit)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{field} '{value}' is larger than the limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes for this kind of file ({ModelFileLimits.FlagFor(kind)})");
        }
    }

    private static InferenceException NotARegularFile(string field, string value) =>
        new(StatusCode.InvalidArgument,
            $"{field} '{value}' does not name a readable regular file inside the model folder (it is missing, leads outside the folder, or is not a regular file)");
}
