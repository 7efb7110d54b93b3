using Microsoft.Extensions.Logging;

namespace Turbine.Server.Http;

internal static partial class HttpFrontEndLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "rejected malformed request {Method} {Path} with HTTP {Status}: {Reason}")]
    public static partial void Malformed(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "request {Method} {Path} failed unexpectedly")]
    public static partial void Unhandled(ILogger logger, string method, string path, Exception exception);
}
