using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// <see cref="IGatewayConfigSource"/> over a YAML file, hot-reloaded: a <see cref="FileSystemWatcher"/> (debounced)
/// and a poll of the file's size and write time as the fallback (editors that replace the file, network volumes).
/// A bad new file is logged with its line numbers and the previous snapshot keeps serving.
/// </summary>
internal sealed class FileGatewayConfigSource : IGatewayConfigSource, IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _poll;
    private readonly ITimer _debounce;
    private readonly TimeSpan _debounceDelay;
    private readonly Lock _reloadLock = new();
    private readonly GatewayConfigPublisher _publisher;
    private (long Length, DateTime Written) _stamp;

    private FileGatewayConfigSource(string path, GatewayConfig initial, ILogger logger, TimeProvider time, TimeSpan pollInterval, TimeSpan debounce)
    {
        _path = path;
        _publisher = new GatewayConfigPublisher(initial, logger);
        _debounceDelay = debounce;
        _stamp = Stamp(path);
        _debounce = time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _poll = time.CreateTimer(_ => PollOnce(), null, pollInterval, pollInterval);
        try
        {
            _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, System.IO.Path.GetFileName(path))
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

    public GatewayConfig Current => _publisher.Current;

    /// <summary>The config file read.</summary>
    public string Path => _path;

    /// <summary>Where reload messages go; the host swaps in its own logger once built.</summary>
    public ILogger Logger
    {
        get => _publisher.Logger;
        set => _publisher.Logger = value;
    }

    public event Action<GatewayConfig>? Changed
    {
        add => _publisher.Changed += value;
        remove => _publisher.Changed -= value;
    }

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
            return _publisher.Publish(config, errors, _path);
        }
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
}
