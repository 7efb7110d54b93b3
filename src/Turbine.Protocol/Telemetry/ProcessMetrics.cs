using System.Diagnostics;

namespace Turbine.Protocol.Telemetry;

/// <summary>
/// The process families every Turbine <c>/metrics</c> ends with: CPU, memory, start time and the .NET GC's allocation
/// and collection counters. The allocation counter is what <c>bench/gateway-overhead.sh</c> and the allocation
/// budgets read (bytes per request = its increase ÷ requests), so it is a plain cumulative counter.
/// </summary>
public static class ProcessMetrics
{
    private static readonly string[] Generations = ["0", "1", "2"];

    /// <summary>Appends the process families to <paramref name="w"/>.</summary>
    /// <param name="w">The exposition being written.</param>
    public static void Write(PrometheusText w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time of the process, in seconds");
        w.Sample("process_cpu_seconds_total", Environment.CpuUsage.TotalTime.TotalSeconds);
        w.Family("process_resident_memory_bytes", "gauge", "Resident memory (working set) of the process, in bytes");
        w.Sample("process_resident_memory_bytes", Environment.WorkingSet);
        w.Family("process_managed_heap_bytes", "gauge", "Bytes in the .NET managed heap");
        w.Sample("process_managed_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
        w.Family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds");
        using (var self = Process.GetCurrentProcess())
        {
            w.Sample("process_start_time_seconds", new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        }

        w.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes the process has allocated on the managed heap since it started (GC.GetTotalAllocatedBytes)");
        w.Sample("dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes(precise: false));
        w.Family("dotnet_gc_collections_total", "counter", "Garbage collections since the process started, by generation");
        for (var generation = 0; generation < Generations.Length; generation++)
        {
            w.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), "generation", Generations[generation]);
        }
    }
}
