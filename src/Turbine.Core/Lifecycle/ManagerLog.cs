using Microsoft.Extensions.Logging;

namespace Turbine.Core.Lifecycle;

internal static partial class ManagerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "loaded model '{Model}' versions [{Versions}] in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, string model, string versions, long elapsedMs);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "model '{Model}': {Reason}")]
    public static partial void LoadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "model '{Model}': {Note}")]
    public static partial void ConfigNote(ILogger logger, string model, string note);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "unloaded model '{Model}'")]
    public static partial void Unloaded(ILogger logger, string model);
}
