using System.Globalization;

namespace Turbine.Control.Reconciling;

/// <summary>
/// CPU time and resident memory of a process from <c>/proc</c> (Linux), for the <c>cpu</c> and <c>memory</c> scale
/// metrics. Reads two small files with a bounded size; a process that is gone reads as null.
/// </summary>
internal static class ProcessStats
{
    private const int MaxRead = 4096;

    /// <summary>User + system CPU time of <paramref name="pid"/>; null when it cannot be read.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        var stat = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        if (stat is null)
        {
            return null;
        }

        // Fields after the command name (which is in parentheses and may contain spaces): state is field 3, utime 14, stime 15.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime))
        {
            return null;
        }

        // Linux reports in clock ticks of USER_HZ, which is 100 on every architecture .NET runs on.
        return TimeSpan.FromMilliseconds((utime + stime) * 10.0);
    }

    /// <summary>Resident memory of <paramref name="pid"/> in bytes; null when it cannot be read.</summary>
    public static long? ResidentBytes(int pid)
    {
        var statm = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/statm");
        var fields = statm?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 2 } && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages)
            ? pages * Environment.SystemPageSize
            : null;
    }

    private static string? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[MaxRead];
            var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n).TrimEnd('\n', '\0');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
