using System.Globalization;

namespace Turbine.Server.Telemetry;

/// <summary>
/// Host CPU utilisation and memory for Triton's <c>nv_cpu_*</c> metrics, read from <c>/proc</c> on Linux at scrape
/// time (utilisation over the interval since the previous scrape; since boot on the first). Elsewhere CPU is 0 and
/// memory comes from the GC's view of the machine.
/// </summary>
internal sealed class HostStats
{
    private readonly Lock _gate = new();
    private long _lastBusy;
    private long _lastTotal;

    /// <summary>Fraction of all cores busy, 0..1.</summary>
    public double CpuUtilization()
    {
        if (!TryReadProcStat(out var busy, out var total))
        {
            return 0;
        }

        lock (_gate)
        {
            var dBusy = busy - _lastBusy;
            var dTotal = total - _lastTotal;
            _lastBusy = busy;
            _lastTotal = total;
            return dTotal <= 0 ? 0 : Math.Clamp((double)dBusy / dTotal, 0, 1);
        }
    }

    /// <summary>Total and used (total - available) memory of the host, in bytes.</summary>
    public static (long Total, long Used) Memory()
    {
        try
        {
            long total = -1, available = -1;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = KiloBytes(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = KiloBytes(line);
                }
            }

            if (total > 0 && available >= 0)
            {
                return (total, total - available);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        var gc = GC.GetGCMemoryInfo();
        return (gc.TotalAvailableMemoryBytes, gc.MemoryLoadBytes);
    }

    private static long KiloBytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static bool TryReadProcStat(out long busy, out long total)
    {
        busy = total = 0;
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return false;
            }

            // user nice system idle iowait irq softirq steal ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 1; i < fields.Length && i <= 8; i++)
            {
                var v = long.Parse(fields[i], CultureInfo.InvariantCulture);
                total += v;
                if (i is not 4 and not 5)
                {
                    busy += v;
                }
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }
}
