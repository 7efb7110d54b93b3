using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Logging;

internal static partial class AccessLog
{
    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "Access log: writing to {Target} failed: {Error}")]
    public static partial void WriteFailed(ILogger logger, string target, string error);
}
