using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Telemetry;

namespace Turbine.Gateway.Traffic;

/// <summary>
/// Shadow traffic: copies go on a bounded queue (full = dropped and counted, never waited for) and a few workers
/// send them to a replica of the shadow pool, recording latency, errors (failure or 5xx) and differences (status,
/// or the <c>outputs</c> of a JSON answer, or the bytes of a binary one, differ from the primary's).
/// </summary>
internal sealed partial class ShadowMirror(PoolRegistry pools, GatewayMetrics metrics, TimeProvider time, ILogger<ShadowMirror> logger) : BackgroundService
{
    private const int Workers = 4;

    private readonly Channel<ShadowWork> _queue = Channel.CreateBounded<ShadowWork>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait });
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Queues a copy; never blocks: a full queue drops it (counted).</summary>
    public void Enqueue(ShadowWork work)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            metrics.ShadowDropped(work.Model, work.Pool);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));

    /// <summary>True when the two answers differ: status, JSON <c>outputs</c>, or raw bytes for non-JSON bodies.</summary>
    internal static bool Differs(int primaryStatus, byte[]? primary, int shadowStatus, byte[] shadow)
    {
        if (primaryStatus != shadowStatus)
        {
            return true;
        }

        if (primary is null)
        {
            return false;
        }

        try
        {
            using var a = JsonDocument.Parse(primary);
            using var b = JsonDocument.Parse(shadow);
            var hasA = a.RootElement.ValueKind == JsonValueKind.Object && a.RootElement.TryGetProperty("outputs", out var outA);
            var hasB = b.RootElement.ValueKind == JsonValueKind.Object && b.RootElement.TryGetProperty("outputs", out var outB);
            return hasA && hasB ? !JsonElement.DeepEquals(a.RootElement.GetProperty("outputs"), b.RootElement.GetProperty("outputs")) : !JsonElement.DeepEquals(a.RootElement, b.RootElement);
        }
        catch (JsonException)
        {
            return !primary.AsSpan().SequenceEqual(shadow);
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await MirrorAsync(work, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task MirrorAsync(ShadowWork work, CancellationToken ct)
    {
        var pool = pools.Current.Get(work.Pool);
        var replica = pool?.Pick(work.Model, grpc: false, null, out _);
        if (replica is null)
        {
            metrics.Shadow(work.Model, work.Pool, null, error: true, different: false);
            return;
        }

        var start = time.GetTimestamp();
        replica.Begin();
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(work.Method), new Uri(replica.Http, work.PathAndQuery.TrimStart('/')));
            if (work.Body.Length > 0 || work.Method != "GET")
            {
                request.Content = new ByteArrayContent(work.Body);
                if (work.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", work.ContentType);
                }
            }

            if (work.InferenceHeaderLength is not null)
            {
                request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", work.InferenceHeaderLength);
            }

            using var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var ms = time.GetElapsedTime(start).TotalMilliseconds;
            var status = (int)response.StatusCode;
            metrics.Shadow(work.Model, work.Pool, ms, error: status >= 500, different: Differs(work.PrimaryStatus, work.PrimaryBody, status, body));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            LogShadowFailed(logger, work.Pool, replica.Id, e.Message);
            metrics.Shadow(work.Model, work.Pool, time.GetElapsedTime(start).TotalMilliseconds, error: true, different: false);
        }
        finally
        {
            replica.End();
        }

    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "shadow pool {Pool}: replica {Replica} failed: {Message}")]
    private static partial void LogShadowFailed(ILogger logger, string pool, string replica, string message);
}
