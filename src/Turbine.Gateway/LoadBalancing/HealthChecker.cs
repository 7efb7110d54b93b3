using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// Active health checks: per pool every <c>healthCheck.intervalMs</c>, <c>GET /v2/health/ready</c> on each replica
/// and <c>GET /v2/models/{m}/ready</c> for each model routed to the pool. Results go into <see cref="Replica"/>.
/// </summary>
internal sealed partial class HealthChecker(PoolRegistry pools, TimeProvider time, ILogger<HealthChecker> logger) : BackgroundService
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) });
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _lastCheck = new(StringComparer.Ordinal);

    /// <summary>Checks every pool once now (tests; start-up).</summary>
    public async Task CheckAllAsync(CancellationToken ct)
    {
        var set = pools.Current;
        var due = set.All.Where(p => p.Config.HealthCheck.Enabled).ToList();
        foreach (var pool in due)
        {
            _lastCheck[pool.Name] = time.GetTimestamp(); // the periodic loop does not check them again at once
        }

        await Task.WhenAll(due.Select(p => CheckPoolAsync(set, p, ct))).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var set = pools.Current;
            var now = time.GetTimestamp();
            var due = new List<Task>();
            foreach (var pool in set.All)
            {
                if (!pool.Config.HealthCheck.Enabled)
                {
                    continue;
                }

                var interval = (long)(pool.Config.HealthCheck.IntervalMs / 1000.0 * time.TimestampFrequency);
                if (_lastCheck.TryGetValue(pool.Name, out var last) && now - last < interval)
                {
                    continue;
                }

                _lastCheck[pool.Name] = now;
                due.Add(CheckPoolAsync(set, pool, stoppingToken));
            }

            await Task.WhenAll(due).ConfigureAwait(false);
        }
    }

    private async Task CheckPoolAsync(PoolSet set, BackendPool pool, CancellationToken ct)
    {
        var models = set.ModelsOf(pool.Name).ToList();
        await Task.WhenAll(pool.Replicas.Select(async r =>
        {
            var healthy = await IsOkAsync(new Uri(r.Http, "v2/health/ready"), pool.Config.HealthCheck.TimeoutMs, ct).ConfigureAwait(false);
            var readiness = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (healthy)
            {
                foreach (var m in models)
                {
                    readiness[m] = await IsOkAsync(new Uri(r.Http, $"v2/models/{Uri.EscapeDataString(m)}/ready"), pool.Config.HealthCheck.TimeoutMs, ct).ConfigureAwait(false);
                }
            }

            if (r.Healthy != healthy)
            {
                LogHealthChanged(logger, pool.Name, r.Id, healthy ? "healthy" : "unhealthy");
            }

            r.Healthy = healthy;
            r.SetModelReadiness(readiness);
        })).ConfigureAwait(false);
    }

    private async Task<bool> IsOkAsync(Uri url, int timeoutMs, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutMs);
        try
        {
            using var response = await _client.GetAsync(url, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "pool {Pool}: replica {Replica} is now {State}")]
    private static partial void LogHealthChanged(ILogger logger, string pool, string replica, string state);
}
