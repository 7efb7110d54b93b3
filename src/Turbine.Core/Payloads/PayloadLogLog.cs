using Microsoft.Extensions.Logging;

namespace Turbine.Core.Payloads;

internal static partial class PayloadLogLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "payload log sink '{Sink}' failed to write {Count} records")]
    public static partial void SinkFailed(ILogger logger, string sink, int count, Exception exception);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "payload log sink '{Sink}' dropped a batch of {Count} records after {Attempts} attempts: {Reason}")]
    public static partial void BatchAbandoned(ILogger logger, string sink, int count, int attempts, string reason);
}
