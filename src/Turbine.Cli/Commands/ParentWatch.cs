using System.Globalization;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine serve --parent-pid PID</c>: stops the server (as SIGTERM would: not ready, drain, exit) once the process
/// PID has ended, checked every second. The process is identified by its pid and its start time from
/// <c>/proc/PID/stat</c>, so a pid reused by another process counts as ended, and a zombie counts as ended. The local
/// runtime passes its own pid when its controller is <c>turbine up</c>: a crashed or <c>kill -9</c>'d <c>up</c> leaves no
/// replica running.
/// </summary>
internal sealed class ParentWatch : IDisposable
{
    /// <summary>How often the parent is looked at.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();

    private ParentWatch()
    {
    }

    /// <summary>Watches <paramref name="pid"/>; calls <paramref name="ended"/> once when it has ended (at once when it already has).</summary>
    /// <param name="pid">The process to outlive by at most <see cref="Interval"/>.</param>
    /// <param name="ended">What to do then (stop the server); called at most once.</param>
    public static ParentWatch Start(int pid, Action ended)
    {
        var watch = new ParentWatch();
        _ = RunAsync(pid, ended, watch._stop.Token);
        return watch;
    }

    private static async Task RunAsync(int pid, Action ended, CancellationToken cancellationToken)
    {
        var identity = StartTime(pid);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (identity is not null && StartTime(pid) == identity)
            {
                if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"turbine: the process that started this server (pid {pid}) has ended (--parent-pid); stopping")).ConfigureAwait(false);
        ended();
    }

    /// <summary>The start time (field 22 of <c>/proc/PID/stat</c>) of a live process, or null when it is gone or a zombie.</summary>
    internal static string? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid ...": comm may hold spaces and parentheses; the fields after the last ')' start at field 3.
        var close = stat.LastIndexOf(')');
        var fields = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 && fields[0] is not ("Z" or "X" or "x") ? fields[19] : null;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
