using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Telemetry;
using Turbine.Protocol.Grpc;

namespace Turbine.Gateway.Traffic;

/// <summary>
/// Shadow traffic: copies go on a bounded queue (full = dropped and counted, never waited for) and a few workers
/// send them to a replica of the shadow pool, recording latency, errors (failure or 5xx) and differences (status,
/// or the <c>outputs</c> of a JSON answer, or the bytes of a binary one, differ from the primary's). Unary gRPC
/// ModelInfer copies go to the replica's gRPC address over HTTP/2 and compare grpc-status and the decoded outputs.
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

    /// <summary>
    /// True when two ModelInfer answer frames carry different outputs: names, datatypes, shapes, typed contents or
    /// raw_output_contents bytes (the ids, model names and versions may differ). Unparsable frames compare as bytes.
    /// </summary>
    internal static bool GrpcDiffers(byte[]? primary, byte[] shadow)
    {
        if (primary is null)
        {
            return false;
        }

        var a = ParseInferResponse(primary);
        var b = ParseInferResponse(shadow);
        if (a is null || b is null)
        {
            return !primary.AsSpan().SequenceEqual(shadow);
        }

        if (a.Outputs.Count != b.Outputs.Count || a.RawOutputContents.Count != b.RawOutputContents.Count)
        {
            return true;
        }

        for (var i = 0; i < a.Outputs.Count; i++)
        {
            var (x, y) = (a.Outputs[i], b.Outputs[i]);
            if (x.Name != y.Name || x.Datatype != y.Datatype || !x.Shape.Equals(y.Shape) || !Equals(x.Contents, y.Contents))
            {
                return true;
            }
        }

        for (var i = 0; i < a.RawOutputContents.Count; i++)
        {
            if (!a.RawOutputContents[i].Span.SequenceEqual(b.RawOutputContents[i].Span))
            {
                return true;
            }
        }

        return false;
    }

    private static ModelInferResponse? ParseInferResponse(byte[] frame)
    {
        if (frame.Length < 5 || frame[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)) != frame.Length - 5)
        {
            return null;
        }

        try
        {
            return ModelInferResponse.Parser.ParseFrom(frame.AsSpan(5));
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Sends the request frame over HTTP/2 (h2c or TLS) and returns the answer's grpc-status (-1 when absent or not HTTP 200) and body.</summary>
    private async Task<(int GrpcStatus, byte[] Body)> SendGrpcAsync(Uri baseAddress, ShadowWork work, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, work.PathAndQuery.TrimStart('/')))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(work.Body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", work.ContentType ?? "application/grpc");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        using var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (-1, body);
        }

        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.FirstOrDefault()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.FirstOrDefault() : null;
        return (int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : -1, body);
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
        var replica = pool?.Pick(work.Model, grpc: work.Grpc, null, out _);
        if (replica is null)
        {
            metrics.Shadow(work.Model, work.Pool, null, error: true, different: false);
            return;
        }

        var start = time.GetTimestamp();
        replica.Begin();
        try
        {
            if (work.Grpc)
            {
                var (grpcStatus, frame) = await SendGrpcAsync(replica.Grpc!, work, ct).ConfigureAwait(false);
                metrics.Shadow(work.Model, work.Pool, time.GetElapsedTime(start).TotalMilliseconds, error: grpcStatus != 0,
                    different: grpcStatus != work.PrimaryStatus || (grpcStatus == 0 && GrpcDiffers(work.PrimaryBody, frame)));
                return;
            }

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
