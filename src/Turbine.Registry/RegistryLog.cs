using Microsoft.Extensions.Logging;

namespace Turbine.Registry;

internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine registry ready: {Url} (metadata {Metadata}, artifacts {Artifacts})")]
    public static partial void Ready(ILogger logger, string url, string metadata, string artifacts);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path}: the client went away ({Reason}); nothing was stored")]
    public static partial void RequestAborted(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Method} {Path} failed after the answer started; connection aborted")]
    public static partial void FailedAfterStart(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "turbine registry runs with --dev: no API tokens are checked (loopback only)")]
    public static partial void DevMode(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void Failed(ILogger logger, string method, string path, Exception exception);
}
