using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Fetched {Count} signing keys from {Url}")]
    public static partial void JwksFetched(ILogger logger, Uri url, int count);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Fetching the JWKS from {Url} failed ({Error}); keeping the {Count} keys in hand")]
    public static partial void JwksFetchFailed(ILogger logger, Uri url, int count, string error);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "Auth config not applied, the previous one stays: {Error}")]
    public static partial void ConfigNotApplied(ILogger logger, string error);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "Refused {Method} {Path} with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);
}
