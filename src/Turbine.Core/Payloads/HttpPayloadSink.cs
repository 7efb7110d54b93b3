using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Turbine.Core.Payloads;

/// <summary>
/// POSTs each batch as CloudEvents in batched mode (<c>application/cloudevents-batch+json</c>): specversion 1.0,
/// type <c>ai.turbine.inference.payload</c>, source <c>turbine/&lt;model&gt;</c>, id = the request id, data = the
/// record. A failed POST (network error or non-2xx) is retried with exponential backoff, at most
/// <see cref="MaxAttempts"/> times; then the batch is abandoned and counted in <see cref="AbandonedRecords"/>.
/// </summary>
public sealed class HttpPayloadSink : IPayloadSink
{
    public const string ContentType = "application/cloudevents-batch+json";
    public const string EventType = "ai.turbine.inference.payload";

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private long _abandoned;

    public HttpPayloadSink(Uri url, HttpClient? http = null, int maxAttempts = 5, TimeSpan? initialBackoff = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        Url = url;
        _ownsClient = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        MaxAttempts = maxAttempts;
        InitialBackoff = initialBackoff ?? TimeSpan.FromMilliseconds(200);
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name => "http";

    public Uri Url { get; }

    public int MaxAttempts { get; }

    public TimeSpan InitialBackoff { get; }

    /// <summary>Records in batches given up after <see cref="MaxAttempts"/> failed POSTs.</summary>
    public long AbandonedRecords => Interlocked.Read(ref _abandoned);

    public static byte[] CreateBatch(IReadOnlyList<PayloadRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var r in records)
            {
                w.WriteStartObject();
                w.WriteString("specversion", "1.0");
                w.WriteString("type", EventType);
                w.WriteString("source", "turbine/" + r.Model);
                w.WriteString("id", r.RequestId.Length > 0 ? r.RequestId : Guid.NewGuid().ToString("N"));
                w.WriteString("time", r.End.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("datacontenttype", "application/json");
                w.WritePropertyName("data");
                w.WriteRawValue(r.Json.Span, skipInputValidation: true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public async ValueTask WriteAsync(IReadOnlyList<PayloadRecord> records, CancellationToken cancellationToken)
    {
        var body = CreateBatch(records);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var backoff = InitialBackoff;
        var reason = "";
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                using var response = await _http.PostAsync(Url, content, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                reason = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                reason = e.Message;
            }
            catch (TaskCanceledException) when (!linked.IsCancellationRequested)
            {
                reason = "timed out";
            }
            catch (OperationCanceledException)
            {
                reason = "stopping";
                break;
            }

            if (attempt < MaxAttempts)
            {
                try
                {
                    await Task.Delay(backoff, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }

        Interlocked.Add(ref _abandoned, records.Count);
        PayloadLogLog.BatchAbandoned(_logger, Name, records.Count, MaxAttempts, reason);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        _disposing.Dispose();
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }
}
