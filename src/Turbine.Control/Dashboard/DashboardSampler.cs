using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Control.Autoscaling;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;
using Turbine.Control.Traffic;

namespace Turbine.Control.Dashboard;

/// <summary>
/// Records a <see cref="DashboardPoint"/> per deployment every interval into a bounded ring, so the Deployments and
/// Traffic pages can draw the last minutes without a metrics database: the controller's status (autoscaler, replicas),
/// the gateway's per-revision counters (diffed between samples) and each ready replica's <c>/v2/models/stats</c>
/// (diffed per replica, so a replica that comes or goes never makes a negative rate). Every scrape has a timeout.
/// </summary>
internal sealed partial class DashboardSampler : IHostedService, IDisposable
{
    private const int MaxStatsBytes = 1024 * 1024;
    private readonly DashboardOptions _options;
    private readonly IControlStore _store;
    private readonly IDeploymentController _controller;
    private readonly Func<ControlPlane?> _plane;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _scrape;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, History> _histories = new(StringComparer.Ordinal);
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private int _disposed;

    public DashboardSampler(DashboardOptions options, IControlStore store, IDeploymentController controller, Func<ControlPlane?> plane, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _options = options;
        _store = store;
        _controller = controller;
        _plane = plane;
        _time = time;
        _logger = logger;
        _scrape = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _scrape.Timeout = TimeSpan.FromSeconds(2);
        _scrape.MaxResponseContentBufferSize = MaxStatsBytes;
    }

    /// <summary>The points of <paramref name="deployment"/>, oldest first (at most <paramref name="last"/>).</summary>
    public IReadOnlyList<DashboardPoint> Points(string deployment, int last = int.MaxValue)
    {
        lock (_lock)
        {
            if (!_histories.TryGetValue(deployment, out var history))
            {
                return [];
            }

            var all = history.Points.ToArray();
            return all.Length <= last ? all : all[^last..];
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        // Registered as a singleton and as a hosted service: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop?.Cancel();
        _stop?.Dispose();
        _scrape.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.SampleInterval, _time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.SampleFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Takes one sample of every deployment now (the loop calls it each interval; tests call it directly).</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        var rows = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var traffic = _plane()?.TrafficPlane;
        foreach (var row in rows)
        {
            if (!row.IsOk || names.Count >= _options.MaxDeployments)
            {
                continue;
            }

            var record = row.Value!;
            names.Add(record.Name);
            var status = _controller.GetStatus(record.Name);
            var snapshot = traffic?.Snapshot(record.Name);
            var stats = status is null ? [] : await ScrapeAsync(status, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                if (!_histories.TryGetValue(record.Name, out var history))
                {
                    _histories[record.Name] = history = new History();
                }

                history.Add(Point(record, status, snapshot, stats, now, history), _options.HistoryPoints);
            }
        }

        lock (_lock)
        {
            foreach (var gone in _histories.Keys.Where(k => !names.Contains(k)).ToList())
            {
                _histories.Remove(gone);
            }
        }
    }

    private static double TargetOf(DeploymentRecord record)
    {
        var p = record.Spec.Predictor;
        try
        {
            return AutoscalerSettings.FromSpec(p.ScaleTarget, p.ScaleMetric.ToString().ToLowerInvariant(), (int)Math.Min(int.MaxValue, p.ContainerConcurrency), p.MinReplicas, p.MaxReplicas).Target;
        }
        catch (ArgumentException)
        {
            return p.ScaleTarget ?? 0;
        }
    }

    private static DashboardPoint Point(DeploymentRecord record, DeploymentStatus? status, TrafficSnapshot? snapshot, IReadOnlyList<(string Replica, ServerStats Stats)> stats, DateTimeOffset now, History history)
    {
        var seconds = history.LastAt is { } last ? Math.Max(0.001, (now - last).TotalSeconds) : 0;
        history.LastAt = now;
        WindowTraffic? stable = null, canary = null, all = null;
        var stableId = status?.Stable?.RevisionId;
        var canaryId = status?.Canary?.RevisionId;
        var windows = new List<WindowTraffic>();
        foreach (var revision in snapshot?.Revisions ?? [])
        {
            var window = WindowTraffic.Between(history.Revisions.GetValueOrDefault(revision.RevisionId), revision);
            if (history.Revisions.ContainsKey(revision.RevisionId))
            {
                windows.Add(window);
                if (revision.RevisionId == stableId)
                {
                    stable = window;
                }
                else if (revision.RevisionId == canaryId)
                {
                    canary = window;
                }
            }
        }

        history.Revisions.Clear();
        foreach (var revision in snapshot?.Revisions ?? [])
        {
            history.Revisions[revision.RevisionId] = revision;
        }

        all = Sum(windows);
        long inferences = 0, executions = 0, queueCount = 0;
        double queueNs = 0;
        foreach (var (replica, s) in stats)
        {
            if (history.Stats.TryGetValue(replica, out var before))
            {
                inferences += Math.Max(0, s.Inferences - before.Inferences);
                executions += Math.Max(0, s.Executions - before.Executions);
                queueCount += Math.Max(0, s.QueueCount - before.QueueCount);
                queueNs += Math.Max(0, s.QueueNs - before.QueueNs);
            }
        }

        history.Stats.Clear();
        foreach (var (replica, s) in stats)
        {
            history.Stats[replica] = s;
        }

        var measured = seconds > 0;
        return new DashboardPoint(
            now,
            status?.Autoscaler?.StableValue,
            status?.Autoscaler?.PanicValue,
            status?.Autoscaler?.PanicMode ?? false,
            TargetOf(record),
            status?.DesiredReplicas ?? record.Spec.Predictor.MinReplicas,
            status?.ReadyReplicas ?? 0,
            snapshot?.Held ?? 0,
            measured && all is not null ? all.Requests / seconds : 0,
            all?.ErrorRate ?? 0,
            Quantile(all, 0.5),
            Quantile(all, 0.99),
            stable?.Requests > 0 ? stable.ErrorRate : null,
            Quantile(stable, 0.99),
            canary is null || !measured ? null : canary.Requests / seconds,
            canary?.Requests > 0 ? canary.ErrorRate : null,
            Quantile(canary, 0.99),
            executions > 0 ? (double)inferences / executions : null,
            queueCount > 0 ? queueNs / queueCount / 1e6 : null);
    }

    private static WindowTraffic? Sum(List<WindowTraffic> windows)
    {
        if (windows.Count == 0)
        {
            return null;
        }

        var bounds = windows[0].BoundsMs;
        var counts = new long[windows[0].Counts.Count];
        long requests = 0, errors = 0;
        foreach (var w in windows)
        {
            requests += w.Requests;
            errors += w.Errors;
            if (w.Counts.Count == counts.Length)
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += w.Counts[i];
                }
            }
        }

        return new WindowTraffic(requests, errors, bounds, counts);
    }

    /// <summary>The <paramref name="q"/> quantile of a window's latency histogram (linear inside the bucket), ms; null without requests.</summary>
    internal static double? Quantile(WindowTraffic? window, double q)
    {
        if (window is null || window.Counts.Count == 0)
        {
            return null;
        }

        var total = window.Counts.Sum();
        if (total == 0)
        {
            return null;
        }

        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < window.Counts.Count; i++)
        {
            var count = window.Counts[i];
            if (count > 0 && seen + count >= rank)
            {
                var lower = i == 0 ? 0 : window.BoundsMs[i - 1];
                if (i >= window.BoundsMs.Count)
                {
                    return lower; // the overflow bucket: at least its lower bound
                }

                var upper = window.BoundsMs[i];
                return lower + ((upper - lower) * Math.Clamp((rank - seen) / count, 0, 1));
            }

            seen += count;
        }

        return window.BoundsMs.Count > 0 ? window.BoundsMs[^1] : null;
    }

    private async Task<IReadOnlyList<(string Replica, ServerStats Stats)>> ScrapeAsync(DeploymentStatus status, CancellationToken cancellationToken)
    {
        var list = new List<(string, ServerStats)>();
        foreach (var replica in status.Replicas.Where(r => r.State == ReplicaState.Ready && r.HttpPort > 0))
        {
            try
            {
                var body = await _scrape.GetByteArrayAsync(new Uri($"http://127.0.0.1:{replica.HttpPort}/v2/models/stats"), cancellationToken).ConfigureAwait(false);
                list.Add((replica.Id, ServerStats.Parse(body)));
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.ScrapeFailed(_logger, status.Name, replica.Id, e.Message);
            }
        }

        return list;
    }

    private sealed class History
    {
        public Queue<DashboardPoint> Points { get; } = new();

        public Dictionary<string, RevisionTraffic> Revisions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ServerStats> Stats { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? LastAt { get; set; }

        public void Add(DashboardPoint point, int capacity)
        {
            Points.Enqueue(point);
            while (Points.Count > capacity)
            {
                Points.Dequeue();
            }
        }
    }

    /// <summary>Cumulative totals of one replica's <c>/v2/models/stats</c> over its models.</summary>
    internal sealed record ServerStats(long Inferences, long Executions, long QueueCount, double QueueNs)
    {
        public static ServerStats Parse(byte[] body)
        {
            using var json = JsonDocument.Parse(body);
            long inferences = 0, executions = 0, queueCount = 0;
            double queueNs = 0;
            foreach (var model in json.RootElement.GetProperty("model_stats").EnumerateArray())
            {
                inferences += Number(model, "inference_count");
                executions += Number(model, "execution_count");
                if (model.TryGetProperty("inference_stats", out var s) && s.TryGetProperty("queue", out var queue))
                {
                    queueCount += Number(queue, "count");
                    queueNs += Number(queue, "ns");
                }
            }

            return new ServerStats(inferences, executions, queueCount, queueNs);
        }

        private static long Number(JsonElement element, string name) =>
            element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "dashboard: a sample failed")]
        public static partial void SampleFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "dashboard: cannot read the statistics of replica {Replica} of {Deployment}: {Reason}")]
        public static partial void ScrapeFailed(ILogger logger, string deployment, string replica, string reason);
    }
}
