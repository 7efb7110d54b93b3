namespace Turbine.Server.Telemetry;

/// <summary>
/// Reads the state of the host's GPUs at scrape time for Triton's <c>nv_gpu_*</c> metrics. The server's reader is
/// <see cref="NvmlGpuStatsReader"/> (NVML, when the NVIDIA driver is installed); register another before
/// <c>AddTurbineServer</c> to replace it.
/// </summary>
public interface IGpuStatsReader
{
    /// <summary>One sample per GPU, in device order; empty when the host has no GPU or no NVML.</summary>
    IReadOnlyList<GpuSample> Read();
}

/// <summary>One GPU at one scrape. A value NVML could not read is null and its sample is left out.</summary>
/// <param name="Uuid">NVML's UUID of the device (<c>GPU-…</c>), Triton's <c>gpu_uuid</c> label.</param>
/// <param name="Utilization">Busy fraction over NVML's last sample period, 0..1.</param>
/// <param name="MemoryUsedBytes">Device memory in use, in bytes.</param>
/// <param name="MemoryTotalBytes">Device memory, in bytes.</param>
/// <param name="PowerWatts">Power draw, in watts.</param>
public sealed record GpuSample(string Uuid, double? Utilization, long? MemoryUsedBytes, long? MemoryTotalBytes, double? PowerWatts);
