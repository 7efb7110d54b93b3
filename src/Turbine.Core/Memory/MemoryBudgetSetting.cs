using System.Globalization;

namespace Turbine.Core.Memory;

/// <summary>
/// How the model memory budget is written: bytes, optionally with a unit (<c>512Mi</c>, <c>2GiB</c>, <c>1.5G</c>, <c>0</c> = none),
/// on the command line (<c>--model-memory-budget</c>) or as a repository's default in the file <see cref="FileName"/> at
/// the repository's root (the flag wins).
/// </summary>
public static class MemoryBudgetSetting
{
    /// <summary>The file at a repository's root that holds its default budget (one value, e.g. <c>4Gi</c>; <c>#</c> comments).</summary>
    public const string FileName = "memory_budget";

    private const long MaxFileBytes = 4096;

    /// <summary>Parses a byte size; null with <paramref name="problem"/> set when it is not one.</summary>
    public static long? TryParse(string text, out string? problem)
    {
        problem = null;
        var t = text.Trim();
        var split = 0;
        while (split < t.Length && (char.IsAsciiDigit(t[split]) || t[split] == '.'))
        {
            split++;
        }

        var unit = t[split..].Trim().ToUpperInvariant();
        long multiplier = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000,
            "KI" or "KIB" => 1L << 10,
            "M" or "MB" => 1000_000,
            "MI" or "MIB" => 1L << 20,
            "G" or "GB" => 1000_000_000,
            "GI" or "GIB" => 1L << 30,
            "T" or "TB" => 1000_000_000_000,
            "TI" or "TIB" => 1L << 40,
            _ => -1,
        };
        if (split == 0 || multiplier < 0 || !decimal.TryParse(t[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number * multiplier > long.MaxValue)
        {
            problem = $"'{text}' is not a byte size (a number of bytes, optionally with a unit: K, M, G, T or Ki, Mi, Gi, Ti)";
            return null;
        }

        return (long)(number * multiplier);
    }

    /// <summary>
    /// The default budget a repository folder carries in <see cref="FileName"/>, or null when it has none (or the
    /// repository is not a folder). A file that is not a regular file of at most 4 KiB, or does not hold a byte size, is
    /// an error naming it.
    /// </summary>
    public static long? ReadRepositoryDefault(string repositoryRoot)
    {
        if (!Directory.Exists(repositoryRoot))
        {
            return null;
        }

        var path = Path.Combine(repositoryRoot, FileName);
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return null;
        }

        // lstat, not FileInfo: a FIFO or a device there would pass FileInfo's checks and block or never end the read.
        if (!Repository.NativeFiles.TryStat(path, followLinks: false, out var stat) || !stat.IsRegularFile || stat.Size > MaxFileBytes)
        {
            throw new InvalidOperationException($"'{path}': the repository's memory budget must be a regular file of at most {MaxFileBytes} bytes");
        }

        var value = string.Join(' ', File.ReadAllLines(path)
            .Select(l => (l.Contains('#', StringComparison.Ordinal) ? l[..l.IndexOf('#', StringComparison.Ordinal)] : l).Trim())
            .Where(l => l.Length > 0));
        return TryParse(value, out var problem) ?? throw new InvalidOperationException($"'{path}': {problem}");
    }
}
