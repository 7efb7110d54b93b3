using Microsoft.Extensions.Logging;

namespace Turbine.Control.Api;

internal static partial class ControlLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine control: API listening on {Url} (store {Store})")]
    public static partial void Ready(ILogger logger, string url, string store);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "turbine control: --dev: the API accepts every caller without a token (loopback only)")]
    public static partial void DevMode(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "turbine control: no reconciler is registered in this process; deployments are stored but nothing runs them")]
    public static partial void NoReconciler(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Method} {Path}: the client went away ({Exception})")]
    public static partial void RequestAborted(ILogger logger, string method, string path, string exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void Failed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "deployment {Name}: {Result} generation {Generation} by '{Caller}'")]
    public static partial void Applied(ILogger logger, string name, string result, long generation, string caller);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "deployment {Name}: deleted by '{Caller}'")]
    public static partial void Deleted(ILogger logger, string name, string caller);
}
