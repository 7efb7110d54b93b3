using System.Globalization;

namespace Turbine.Core.Repository;

/// <summary>
/// Where the files of a load request's <c>file:</c> override are written: a private folder the server creates for
/// itself (mode 0700 under the temp folder, never the user's repository), one fresh repository folder per load
/// (<c>&lt;root&gt;/&lt;n&gt;/&lt;model&gt;/...</c>) deleted when nothing serves from it any more, the whole root on dispose.
/// Every path must be relative, stay inside the model folder (no <c>..</c>, no absolute path, no empty or <c>.</c>
/// part), name each file once, and each file fits <c>--max-model-file-bytes</c>; the folder is new and written only
/// here, so no link can exist in it.
/// </summary>
internal sealed class ModelOverrideFolders : IDisposable
{
    /// <summary>Most files one load may override.</summary>
    public const int MaxFiles = 1024;

    /// <summary>Longest override path, in characters.</summary>
    public const int MaxPathLength = 1024;

    private readonly ModelFileLimits _limits;
    private readonly Lock _gate = new();
    private DirectoryInfo? _root;
    private long _next;
    private bool _disposed;

    public ModelOverrideFolders(ModelFileLimits limits)
    {
        _limits = limits;
    }

    /// <summary>The private root folder, once the first override was written (tests look inside).</summary>
    internal string? Root
    {
        get
        {
            lock (_gate)
            {
                return _root?.FullName;
            }
        }
    }

    /// <summary>Triton's answer to a load whose override cannot be used, with the reason (Triton only logs it).</summary>
    public static InferenceError PollFailure(string model, string reason) =>
        InferenceError.Internal($"failed to load '{model}', failed to poll from model repository: {reason}");

    /// <summary>
    /// Checks every path and size, then writes the files into a new repository folder and returns its root (the model
    /// is its folder <paramref name="model"/>). A bad path or size is an <see cref="InferenceException"/> naming the
    /// parameter; nothing is left on disk after a failure.
    /// </summary>
    public string Materialize(string model, IReadOnlyList<ModelFileOverride> files)
    {
        if (files.Count > MaxFiles)
        {
            throw Invalid($"{files.Count} file overrides; at most {MaxFiles} are accepted in one load");
        }

        foreach (var file in files)
        {
            CheckPath(file.Path);
            if (file.Content.Length > _limits.ModelBytes)
            {
                throw Invalid($"load parameter 'file:{file.Path}' is {file.Content.Length} bytes, larger than the limit of {_limits.ModelBytes.ToString(CultureInfo.InvariantCulture)} bytes ({ModelFileLimits.FlagFor(ModelFileKind.Model)})");
            }
        }

        string repositoryRoot;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _root ??= Directory.CreateTempSubdirectory("turbine-load-overrides-");
            repositoryRoot = Path.Combine(_root.FullName, (++_next).ToString(CultureInfo.InvariantCulture));
        }

        var modelFolder = Path.Combine(repositoryRoot, model);
        try
        {
            Directory.CreateDirectory(modelFolder);
            foreach (var file in files)
            {
                var path = Path.Combine(modelFolder, file.Path);
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                    stream.Write(file.Content.Span);
                }
                catch (IOException)
                {
                    throw Invalid($"load parameter 'file:{file.Path}' names a file given twice, or one whose folder is also given as a file");
                }
            }

            return repositoryRoot;
        }
        catch
        {
            Delete(repositoryRoot);
            throw;
        }
    }

    /// <summary>Deletes a folder <see cref="Materialize"/> returned (best effort: a failure leaves it to dispose).</summary>
    public void Delete(string repositoryRoot)
    {
        try
        {
            Directory.Delete(repositoryRoot, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes every override folder (server shutdown).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (_root is not null)
            {
                Delete(_root.FullName);
            }
        }
    }

    private static void CheckPath(string path)
    {
        var problem = path.Length == 0 ? "is empty"
            : path.Length > MaxPathLength ? $"is longer than {MaxPathLength} characters"
            : path.Contains('\\', StringComparison.Ordinal) ? "contains '\\' (use '/' between folders)"
            : !ModelFiles.IsSafeRelativeName(path) ? "must be a relative path inside the model folder (no absolute path, no '..')"
            : path.Split('/').Any(p => p.Length == 0 || p == ".") ? "has an empty or '.' part"
            : path.Any(char.IsControl) ? "contains a control character"
            : path == ModelRepository.ConfigFileName ? "would replace the configuration, which comes from the 'config' parameter"
            : null;
        if (problem is not null)
        {
            throw Invalid($"load parameter 'file:{path}': the path {problem}");
        }
    }

    private static InferenceException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
