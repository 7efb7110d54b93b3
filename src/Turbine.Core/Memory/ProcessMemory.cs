using System.Globalization;
using System.Runtime.InteropServices;

namespace Turbine.Core.Memory;

/// <summary>The process's resident set, read from <c>/proc/self/statm</c> (Linux); the working set elsewhere.</summary>
internal static partial class ProcessMemory
{
    private static int s_trimUnavailable;

    /// <summary>
    /// Gives the C heap's free pages back to the system (glibc <c>malloc_trim</c>). A model load frees its temporary
    /// copies of the weights (the file read, the parsed protobuf) but glibc keeps those pages: its dynamic mmap
    /// threshold rises after the first large free, so later weight-sized blocks come from the heap and stay resident
    /// after they are freed. Trimming after each load keeps the process near the weights it really holds. No-op where
    /// the C library has no <c>malloc_trim</c> (musl, macOS, Windows).
    /// </summary>
    public static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_trimUnavailable) != 0)
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref s_trimUnavailable, 1);
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private static readonly long s_pageSize = Environment.SystemPageSize;

    /// <summary>Resident bytes of this process now.</summary>
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                Span<byte> buffer = stackalloc byte[128];
                using var file = File.OpenHandle("/proc/self/statm");
                var read = RandomAccess.Read(file, buffer, 0);
                var text = System.Text.Encoding.ASCII.GetString(buffer[..read]);
                var fields = text.Split(' ', 3);
                if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
                {
                    return pages * s_pageSize;
                }
            }
            catch (IOException)
            {
                // Fall back to the working set below.
            }
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Bytes of the regular files directly in a folder and its sub-folders (bounded walk), 0 when it does not exist.</summary>
    public static long FolderBytes(string folder, int maxFiles = 10_000)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        long total = 0;
        var seen = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            total += file.Length;
            if (++seen >= maxFiles)
            {
                break;
            }
        }

        return total;
    }
}
