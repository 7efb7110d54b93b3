using Microsoft.Extensions.Logging;

namespace Turbine.Control.Batch;

internal static partial class BatchJobLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "batch job {Id}: submitted by '{Caller}', model {Model} via {Target}")]
    public static partial void Submitted(ILogger logger, string id, string caller, string model, string target);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "batch job {Id}: running")]
    public static partial void Started(ILogger logger, string id);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "batch job {Id}: {State} {Error}")]
    public static partial void Finished(ILogger logger, string id, string state, string error);

    [LoggerMessage(EventId = 63, Level = LogLevel.Information, Message = "batch job {Id}: cancelled by '{Caller}'; it stops at the next part boundary")]
    public static partial void Cancelling(ILogger logger, string id, string caller);

    [LoggerMessage(EventId = 64, Level = LogLevel.Error, Message = "batch job {Id}: failed unexpectedly")]
    public static partial void Crashed(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "batch jobs: {Count} did not stop within 60 s of shutdown")]
    public static partial void ShutdownTimedOut(ILogger logger, int count);
}
