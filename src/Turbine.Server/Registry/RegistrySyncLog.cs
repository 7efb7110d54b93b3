using Microsoft.Extensions.Logging;

namespace Turbine.Server.Registry;

internal static partial class RegistrySyncLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "registry: {Reference} now served as '{Model}' version {Version} (sha256 {Sha256}; was {Previous})")]
    public static partial void Swapped(ILogger logger, string reference, string model, long version, string sha256, string previous);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "registry: syncing {Reference} failed, keeping what is served and retrying in {RetrySeconds:0.#} s: {Message}")]
    public static partial void SyncFailed(ILogger logger, string reference, double retrySeconds, string message);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "registry: cannot resolve {Reference} ({Message}); serving the cached version {Version} from the last successful sync")]
    public static partial void ServingCached(ILogger logger, string reference, long version, string message);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "registry: downloaded {Model} version {Version} ({Bytes} bytes, sha256 {Sha256} verified)")]
    public static partial void Downloaded(ILogger logger, string model, long version, long bytes, string sha256);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "registry: reached again after {Failures} failed attempt(s)")]
    public static partial void Recovered(ILogger logger, int failures);
}
