using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// What every <see cref="IGatewayConfigSource"/> does with a candidate config, wherever it came from (a file, an object
/// in memory, an API): a valid one becomes the new snapshot (swapped atomically, logged, <see cref="Changed"/> raised in
/// the order applied); an invalid one is logged error by error and the last good snapshot keeps serving.
/// </summary>
internal sealed partial class GatewayConfigPublisher(GatewayConfig initial, ILogger logger)
{
    private readonly Lock _lock = new();
    private volatile GatewayConfig _current = initial;

    public GatewayConfig Current => _current;

    /// <summary>Where reload messages go; the host swaps in its own logger once built.</summary>
    public ILogger Logger { get; set; } = logger;

    public event Action<GatewayConfig>? Changed;

    /// <summary>Applies <paramref name="config"/> when it is not null; otherwise logs <paramref name="errors"/>. True when applied.</summary>
    /// <param name="config">The parsed config, or null when it was rejected.</param>
    /// <param name="errors">Why it was rejected (empty when applied).</param>
    /// <param name="origin">Where the config came from, for the log line (a file path, <c>memory</c>).</param>
    public bool Publish(GatewayConfig? config, IReadOnlyList<string> errors, string origin)
    {
        lock (_lock)
        {
            if (config is null)
            {
                foreach (var error in errors)
                {
                    LogRejected(Logger, error);
                }

                return false;
            }

            _current = config;
            LogReloaded(Logger, origin);

            // Under the lock: two updates racing notify in the order they applied.
            Changed?.Invoke(config);
        }

        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine gateway: config reloaded from {Path}")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "turbine gateway: config rejected, the previous config keeps running: {Error}")]
    private static partial void LogRejected(ILogger logger, string error);
}
