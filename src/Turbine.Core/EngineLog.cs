using Microsoft.Extensions.Logging;

namespace Turbine.Core;

internal static partial class EngineLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "repository poll failed")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "inference on model '{Model}' failed unexpectedly")]
    public static partial void InferFailed(ILogger logger, string model, Exception exception);
}
