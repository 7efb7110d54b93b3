using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Logging;

/// <summary>
/// Writes access-log lines off the request path: a bounded channel (full = the line is dropped and counted, a
/// request never waits) drained by one background task into stdout or an append-only file. A config change of
/// <c>accessLog.path</c> switches files at the next line.
/// </summary>
internal sealed class AccessLogWriter : IAsyncDisposable
{
    public const int Capacity = 16_384;

    private readonly Channel<(string? Path, byte[] Line)> _lines =
        Channel.CreateBounded<(string?, byte[])>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ILogger _logger;
    private readonly Lazy<Task> _loop;
    private long _dropped;

    public AccessLogWriter(ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger("Turbine.Gateway.AccessLog");
        _loop = new Lazy<Task>(() => Task.Run(DrainAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <param name="path">File to append to; null = stdout.</param>
    /// <param name="record">The request to log.</param>
    public void Write(string? path, AccessLogRecord record)
    {
        _ = _loop.Value;
        if (!_lines.Writer.TryWrite((path, AccessLogFormatter.Format(record))))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        if (_loop.IsValueCreated)
        {
            await _loop.Value.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task DrainAsync()
    {
        string? currentPath = null;
        Stream? stream = null;
        try
        {
            while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_lines.Reader.TryRead(out var item))
                {
                    if (stream is null || item.Path != currentPath)
                    {
                        await CloseAsync(stream, currentPath).ConfigureAwait(false);
                        currentPath = item.Path;
#pragma warning disable CA2000 // closed when the path changes (above) and in the finally when the writer stops
                        stream = Open(item.Path);
#pragma warning restore CA2000
                    }

                    if (stream is null)
                    {
                        Interlocked.Increment(ref _dropped);
                        continue;
                    }

                    try
                    {
                        await stream.WriteAsync(item.Line).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        Interlocked.Increment(ref _dropped);
                        AccessLog.WriteFailed(_logger, currentPath ?? "stdout", e.Message);
                    }
                }

                try
                {
                    await (stream?.FlushAsync() ?? Task.CompletedTask).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    AccessLog.WriteFailed(_logger, currentPath ?? "stdout", e.Message);
                }
            }
        }
        finally
        {
            await CloseAsync(stream, currentPath).ConfigureAwait(false);
        }
    }

    private Stream? Open(string? path)
    {
        if (path is null)
        {
            return Console.OpenStandardOutput();
        }

        try
        {
            return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AccessLog.WriteFailed(_logger, path, e.Message);
            return null;
        }
    }

    private static async Task CloseAsync(Stream? stream, string? path)
    {
        if (stream is null)
        {
            return;
        }

        try
        {
            await stream.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }

        if (path is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
