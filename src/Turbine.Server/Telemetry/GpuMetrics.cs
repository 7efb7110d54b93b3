using Turbine.Protocol.Telemetry;

namespace Turbine.Server.Telemetry;

/// <summary>
/// Triton's GPU metrics, one series per device labelled <c>gpu_uuid</c>: <c>nv_gpu_utilization</c> (0..1),
/// <c>nv_gpu_memory_total_bytes</c>, <c>nv_gpu_memory_used_bytes</c>, <c>nv_gpu_power_usage</c> (watts). Without a GPU
/// the families are left out, as Triton leaves them out.
/// </summary>
internal static class GpuMetrics
{
    public static void Write(PrometheusText w, IReadOnlyList<GpuSample> gpus)
    {
        if (gpus.Count == 0)
        {
            return;
        }

        Gauge(w, gpus, "nv_gpu_utilization", "GPU utilization rate [0.0 - 1.0)", g => g.Utilization);
        Gauge(w, gpus, "nv_gpu_memory_total_bytes", "GPU total memory, in bytes", g => g.MemoryTotalBytes);
        Gauge(w, gpus, "nv_gpu_memory_used_bytes", "GPU used memory, in bytes", g => g.MemoryUsedBytes);
        Gauge(w, gpus, "nv_gpu_power_usage", "GPU power usage in watts", g => g.PowerWatts);
    }

    private static void Gauge(PrometheusText w, IReadOnlyList<GpuSample> gpus, string name, string help, Func<GpuSample, double?> value)
    {
        w.Family(name, "gauge", help);
        foreach (var gpu in gpus)
        {
            if (value(gpu) is { } v)
            {
                w.Sample(name, v, "gpu_uuid", gpu.Uuid);
            }
        }
    }
}
