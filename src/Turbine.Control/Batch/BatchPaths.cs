using Turbine.Batch.Storage;
using Turbine.Core.Repository;

namespace Turbine.Control.Batch;

/// <summary>
/// Confines a job's paths: a local path resolves inside the batch folder (relative to it; absolute only when inside),
/// with no <c>..</c> leading out and no link on the way (the deepest existing part of the path must be its own real
/// path), so <c>input: /etc/passwd</c>, <c>../../etc/passwd</c> or a link planted in the folder are refused; an
/// <c>s3://</c> path must start with an allowed prefix.
/// </summary>
/// <param name="root">The batch folder's real path.</param>
/// <param name="s3Prefixes">Allowed s3:// prefixes.</param>
internal sealed class BatchPaths(string root, IReadOnlyList<string> s3Prefixes)
{
    public string Root { get; } = root;

    /// <summary>The path to use for <paramref name="value"/>, or throws <see cref="ArgumentException"/> naming the field and why.</summary>
    public string Resolve(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"'{field}' is required");
        }

        if (value.Contains('\0', StringComparison.Ordinal) || value.Length > 4096)
        {
            throw new ArgumentException($"'{field}' is not a usable path");
        }

        if (S3Location.IsS3(value))
        {
            var location = S3Location.Parse(value);
            var normal = location.ToString();
            if (!s3Prefixes.Any(p => normal.StartsWith(p, StringComparison.Ordinal)))
            {
                throw new ArgumentException(s3Prefixes.Count == 0
                    ? $"'{field}' '{value}': s3:// paths are not allowed on this control plane (start it with --batch-s3-prefix s3://bucket/prefix/)"
                    : $"'{field}' '{value}' is outside the allowed s3:// prefixes ({string.Join(", ", s3Prefixes)})");
            }

            return normal;
        }

        var full = Path.GetFullPath(Path.Combine(Root, value));
        if (full == Root)
        {
            throw new ArgumentException($"'{field}' '{value}' names the batch folder itself; give a file in it");
        }

        if (!full.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{field}' '{value}' is outside the batch folder; give a path relative to it");
        }

        // The deepest part that exists must be its own real path: no link anywhere on the way leads out (or back in).
        var existing = full;
        while (!NativeFiles.TryStat(existing, followLinks: false, out _))
        {
            existing = Path.GetDirectoryName(existing)!;
        }

        if (NativeFiles.RealPath(existing) != existing)
        {
            throw new ArgumentException($"'{field}' '{value}' goes through a symbolic link; batch paths may not");
        }

        return full;
    }

    /// <summary>The path as a job reports it: relative to the folder (s3:// as is).</summary>
    public string Show(string path) => S3Location.IsS3(path) ? path : Path.GetRelativePath(Root, path);
}
