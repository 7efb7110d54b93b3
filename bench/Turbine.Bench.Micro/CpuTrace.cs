using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Turbine.Bench.Micro;

/// <summary>
/// Where another process's threads were running: a summary of the thread-time samples of a trace taken with
/// <c>dotnet-trace collect --profile dotnet-sampled-thread-time</c> (the EventPipe sample profiler stacks every managed
/// thread every millisecond, waiting or not). Samples whose innermost managed frame is a wait (the thread pool's
/// semaphore, the socket engine's epoll wait, a monitor, a sleep) are dropped; what is left approximates where CPU went.
/// </summary>
internal static class CpuTrace
{
    // Innermost managed frames of a thread that is blocked, not running (its sample is not CPU).
    private static readonly string[] WaitFrames =
    [
        "LowLevelLifoSemaphore.WaitNative", "LowLevelLifoSemaphore.WaitCore", "LowLevelLifoSemaphore.WaitForSignal", "FileSystemWatcher", "Interop+Sys.WaitForSocketEvents",
        "LowLevelMonitor.WaitCore", "LowLevelMonitor.Wait", "Monitor.Wait", "WaitHandle.WaitOneCore", "WaitHandle.WaitOneNoCheck",
        "Thread.SleepInternal", "Thread.Sleep", "WaitSubsystem", "Interop+Sys.LowLevelMonitor_Wait", "Interop+Sys.LowLevelMonitor_TimedWait",
        "Interop+Sys.SchedYield", "Thread.Yield", "EventPipeInternal", "Interop+Sys.Poll",
    ];

    /// <summary>
    /// <c>--cpu-trace FILE.nettrace [requests] [filter]</c>: the methods the running samples were in (innermost frame:
    /// exclusive) and passed through (any frame: inclusive), with µs per request when the request count is given (one
    /// sample is one millisecond of one thread); <paramref name="args"/>' filter keeps inclusive rows whose name contains it.
    /// </summary>
    /// <param name="args">The trace file, optionally the requests it covers and a method-name filter for the inclusive list.</param>
    public static int Summarize(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: --cpu-trace FILE.nettrace [requests] [filter]");
            return 2;
        }

        var requests = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var filter = args.Length > 2 ? args[2] : null;
        var etlx = TraceLog.CreateFromEventPipeDataFile(args[0], Path.ChangeExtension(args[0], ".etlx"));
        using var log = new TraceLog(etlx);
        var exclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var inclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var waiting = new Dictionary<string, long>(StringComparer.Ordinal);
        long running = 0, waits = 0, noStack = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stacks = new Dictionary<string, long>(StringComparer.Ordinal); // the innermost frames of samples that pass through the filter
        foreach (var e in log.Events)
        {
            if (e.ProviderName != "Microsoft-DotNETCore-SampleProfiler")
            {
                continue;
            }

            var stack = e.CallStack();
            if (stack is null)
            {
                noStack++;
                continue;
            }

            var leaf = Name(stack);
            if (WaitFrames.Any(w => leaf.Contains(w, StringComparison.Ordinal)) || IsBlockedNative(stack, leaf))
            {
                waits++;
                waiting[leaf] = waiting.GetValueOrDefault(leaf) + 1;
                continue;
            }

            running++;
            exclusive[leaf] = exclusive.GetValueOrDefault(leaf) + 1;
            seen.Clear();
            var path = new List<string>();
            for (var frame = stack; frame is not null; frame = frame.Caller)
            {
                var name = Name(frame);
                if (path.Count < 14)
                {
                    path.Add(Short(name));
                }

                if (seen.Add(name))
                {
                    inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                }
            }

            if (filter is not null && seen.Any(n => n.Contains(filter, StringComparison.Ordinal)))
            {
                var key = string.Join(" < ", path);
                stacks[key] = stacks.GetValueOrDefault(key) + 1;
            }
        }

        string PerRequest(long samples) => requests > 0 ? (samples * 1000.0 / requests).ToString("0.00", CultureInfo.InvariantCulture) + " us/req" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{running} running samples ({PerRequest(running)}), {waits} waiting, {noStack} without a stack"));
        Console.WriteLine("-- exclusive (innermost managed frame) --");
        foreach (var (name, n) in exclusive.OrderByDescending(p => p.Value).Take(45))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n * 100.0 / running,6:0.0} % {PerRequest(n),14}  {name}"));
        }

        Console.WriteLine("-- inclusive --");
        foreach (var (name, n) in inclusive.Where(p => filter is null || p.Key.Contains(filter, StringComparison.Ordinal)).OrderByDescending(p => p.Value).Take(70))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n * 100.0 / running,6:0.0} % {PerRequest(n),14}  {name}"));
        }

        if (filter is not null)
        {
            Console.WriteLine("-- stacks through the filter (innermost first) --");
            foreach (var (path, n) in stacks.OrderByDescending(p => p.Value).Take(25))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{PerRequest(n),14}  {path}"));
            }
        }

        Console.WriteLine("-- waiting (dropped) --");
        foreach (var (name, n) in waiting.OrderByDescending(p => p.Value).Take(8))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n,8}  {name}"));
        }

        return 0;
    }

    /// <summary>A native innermost frame under the socket engine's event loop (its epoll wait) or a file watcher's read.</summary>
    private static bool IsBlockedNative(TraceCallStack stack, string leaf)
    {
        if (!leaf.StartsWith("?!", StringComparison.Ordinal) && !leaf.StartsWith("Interop+Sys.Read(", StringComparison.Ordinal))
        {
            return false;
        }

        for (var frame = stack.Caller; frame is not null; frame = frame.Caller)
        {
            var name = Name(frame);
            if (name.Contains("SocketAsyncEngine.EventLoop", StringComparison.Ordinal) || name.Contains("FileSystemWatcher", StringComparison.Ordinal))
            {
                return true;
            }

            if (!name.StartsWith("?!", StringComparison.Ordinal) && !name.StartsWith("Interop", StringComparison.Ordinal))
            {
                return false; // the first managed caller is something else: running native code
            }
        }

        return false;
    }

    private static string Short(string name)
    {
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        return paren > 0 ? name[..paren] : name;
    }

    private static string Name(TraceCallStack frame)
    {
        var address = frame.CodeAddress;
        var method = address.FullMethodName;
        return string.IsNullOrEmpty(method) ? "?!" + address.ModuleName : method;
    }
}
