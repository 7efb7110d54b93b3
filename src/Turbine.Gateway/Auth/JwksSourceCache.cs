using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Auth;

/// <summary>One <see cref="JwksUrlSource"/> per URL and refresh period, kept across config reloads so a reload does not refetch.</summary>
internal sealed class JwksSourceCache : IDisposable
{
    private readonly ConcurrentDictionary<(Uri, TimeSpan), JwksUrlSource> _sources = new();
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public JwksSourceCache(TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        _logger = loggers.CreateLogger("Turbine.Gateway.Auth");
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Least time between two early refreshes caused by tokens naming an unknown key. Default 10 s.</summary>
    public TimeSpan UnknownKeyRefreshInterval { get; init; } = JwksUrlSource.DefaultUnknownKeyRefreshInterval;

    public JwksUrlSource Get(Uri url, TimeSpan refresh) =>
        _sources.GetOrAdd((url, refresh), key => new JwksUrlSource(key.Item1, key.Item2, _http, _time, _logger, UnknownKeyRefreshInterval));

    public void Dispose() => _http.Dispose();
}
