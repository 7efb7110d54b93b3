using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// <see cref="IGatewayConfigSource"/> over a YAML file, hot-reloaded: a <see cref="FileSystemWatcher"/> (debounced)
/// and a poll of the file's size and write time as the fallback (editors that replace the file, network volumes).
/// A bad new file is logged with its line numbers and the previous snapshot keeps serving.
/// </summary>
internal sealed partial class FileGatewayConfigSource : IGatewayConfigSource, IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _poll;
    private readonly ITimer _debounce;
    private readonly TimeSpan _debounceDelay;
    private readonly Lock _reloadLock = new();
    private volatile GatewayConfig _current;
    private (long Length, DateTime Written) _stamp;

    private FileGatewayConfigSource(string path, GatewayConfig initial, ILogger logger, TimeProvider time, TimeSpan pollInterval, TimeSpan debounce)
    {
        _path = path;
        _current = initial;
        Logger = logger;
        _debounceDelay = debounce;
        _stamp = Stamp(path);
        _debounce = time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => PollOnce(), null, pollInterval, pollInterval);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Schedule();
            _watcher.Created += (_, _) => Schedule();
            _watcher.Renamed += (_, _) => Schedule();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher = null; // the poll still sees changes
        }
    }

    public GatewayConfig Current => _current;

    /// <summary>Where reload messages go; the host swaps in its own logger once built.</summary>
    public ILogger Logger { get; set; }

    public event Action<GatewayConfig>? Changed;

    /// <summary>Loads the file; throws <see cref="GatewayConfigException"/> with every error when it is bad.</summary>
    public static FileGatewayConfigSource Open(string path, ILogger logger, TimeProvider? time = null, TimeSpan? pollInterval = null, TimeSpan? debounce = null)
    {
        var config = GatewayConfigLoader.LoadFile(path, out var errors);
        if (config is null)
        {
            throw new GatewayConfigException(errors);
        }

        return new FileGatewayConfigSource(path, config, logger, time ?? TimeProvider.System, pollInterval ?? TimeSpan.FromSeconds(2), debounce ?? TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Reads the file now; true when a new snapshot was applied.</summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            _stamp = Stamp(_path);
            var config = GatewayConfigLoader.LoadFile(_path, out var errors);
            if (config is null)
            {
                foreach (var error in errors)
                {
                    LogRejected(Logger, error);
                }

                return false;
            }

            _current = config;
            LogReloaded(Logger, _path);

            // Under the lock: two reloads racing (watcher and poll) notify in the order they applied.
            Changed?.Invoke(config);
        }

        return true;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _poll.Dispose();
        _debounce.Dispose();
    }

    private void Schedule() => _debounce.Change(_debounceDelay, Timeout.InfiniteTimeSpan);

    private void PollOnce()
    {
        if (Stamp(_path) != _stamp)
        {
            Reload();
        }
    }

    private static (long, DateTime) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, default);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "turbine gateway: config reloaded from {Path}")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "turbine gateway: config rejected, the previous config keeps running: {Error}")]
    private static partial void LogRejected(ILogger logger, string error);
}
