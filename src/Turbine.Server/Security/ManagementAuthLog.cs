using Microsoft.Extensions.Logging;

namespace Turbine.Server.Security;

internal static partial class ManagementAuthLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "management endpoints (repository load/unload, /v2/logging) are open WITHOUT authentication (--management-auth none) on {Host}: anyone who reaches the HTTP or gRPC port can load models with any config, unload them and change logging")]
    public static partial void OpenWithoutAuth(ILogger logger, string host);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "management endpoints (repository load/unload, /v2/logging) are disabled: the server is bound to {Host}, not loopback, and has no management token; set --management-token-file (or TURBINE_MANAGEMENT_TOKEN) to enable them")]
    public static partial void DisabledOffLoopback(ILogger logger, string host);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "management endpoints require 'Authorization: Bearer <management token>'")]
    public static partial void TokenRequired(ILogger logger);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "management call {Operation} refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string operation, int status, string reason);
}
