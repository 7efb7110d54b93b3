using System.Runtime.InteropServices;
using System.Text;

namespace Turbine.Control.Runtime;

/// <summary>
/// What the local runtime needs from Linux for processes that may not be its children: signals (libc <c>kill</c>) and
/// <c>/proc</c> (is the pid alive, which replica is it). Every read is bounded.
/// </summary>
internal static partial class LocalProcessNative
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>The environment variable that marks a replica process: <c>deployment/replica</c>.</summary>
    public const string ReplicaIdVariable = "TURBINE_REPLICA_ID";

    /// <summary>The environment variable through which the start script learns the log file.</summary>
    public const string LogVariable = "TURBINE_REPLICA_LOG";

    private const int MaxEnvironBytes = 1024 * 1024;
    private const int MaxStatBytes = 4096;

    /// <summary>Sends <paramref name="signal"/>; false when the process does not exist (or may not be signalled).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>True while <paramref name="pid"/> exists and has not exited (a zombie counts as exited).</summary>
    public static bool IsRunning(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        var stat = ReadBounded($"/proc/{pid}/stat", MaxStatBytes);
        if (stat is null)
        {
            return false;
        }

        // "pid (comm) S ...": comm may hold spaces and parentheses; the state follows the last ')'.
        var text = Encoding.ASCII.GetString(stat);
        var close = text.LastIndexOf(')');
        return close >= 0 && close + 2 < text.Length && text[close + 2] is not ('Z' or 'X' or 'x');
    }

    /// <summary>True when the running process <paramref name="pid"/> carries <c>TURBINE_REPLICA_ID=<paramref name="marker"/></c> in its environment.</summary>
    public static bool HasMarker(int pid, string marker)
    {
        if (pid <= 0 || !IsRunning(pid))
        {
            return false;
        }

        var environ = ReadBounded($"/proc/{pid}/environ", MaxEnvironBytes);
        if (environ is null)
        {
            return false;
        }

        var wanted = Encoding.UTF8.GetBytes($"{ReplicaIdVariable}={marker}");
        var span = environ.AsSpan();
        while (span.Length > 0)
        {
            var end = span.IndexOf((byte)0);
            var entry = end < 0 ? span : span[..end];
            if (entry.SequenceEqual(wanted))
            {
                return true;
            }

            span = end < 0 ? [] : span[(end + 1)..];
        }

        return false;
    }

    /// <summary>At most <paramref name="max"/> bytes of a /proc file; null when it cannot be read (gone, not ours).</summary>
    private static byte[]? ReadBounded(string path, int max)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[max];
            var total = 0;
            int read;
            while (total < max && (read = stream.Read(buffer, total, max - total)) > 0)
            {
                total += read;
            }

            return buffer[..total];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
