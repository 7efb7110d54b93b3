using Microsoft.Extensions.Logging;

namespace Turbine.Server.Telemetry;

internal static partial class GpuStatsLog
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "GPU metrics: NVML ({Library}) is not present, so there are no nv_gpu_* metrics (expected on a host without the NVIDIA driver)")]
    public static partial void NoNvml(ILogger logger, string library);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "GPU metrics: NVML could not start ({Call}: {Reason}), so there are no nv_gpu_* metrics")]
    public static partial void NvmlFailed(ILogger logger, string call, string reason);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "GPU metrics: NVML found {Count} GPU(s): {Uuids}")]
    public static partial void Found(ILogger logger, int count, string uuids);
}
