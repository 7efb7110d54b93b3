using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Core.Config;

namespace Turbine.Core.Payloads;

/// <summary>
/// The payload log: the request path hands each record to a bounded channel with <c>TryWrite</c> and never waits;
/// when the channel is full the record is dropped and counted (<see cref="DroppedCount"/>,
/// <c>turbine_payload_log_dropped_total</c>). One background task serializes records to JSON and writes them to
/// every sink in batches.
/// </summary>
public sealed class PayloadLog : IAsyncDisposable
{
    /// <summary>Records the channel holds before new ones are dropped, by default.</summary>
    public const int DefaultCapacity = 4096;

    private const int MaxBatch = 256;

    private readonly Channel<PayloadRecord> _channel;
    private readonly IReadOnlyList<IPayloadSink> _sinks;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private readonly bool _serialize;
    private readonly ConditionalWeakTable<ModelConfig, PayloadLogSettings> _settings = new();
    private long _dropped;
    private long _accepted;
    private long _written;
    private int _disposed;

    public PayloadLog(IReadOnlyList<IPayloadSink> sinks, int capacity = DefaultCapacity, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sinks = sinks;
        _serialize = sinks.Any(s => s.UsesJson);
        _logger = logger ?? NullLogger.Instance;
        _channel = Channel.CreateBounded<PayloadRecord>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full channel returns false, nothing waits
            SingleReader = true,
            SingleWriter = false,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records dropped because the channel was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Records accepted into the channel.</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>Records handed to the sinks.</summary>
    public long WrittenCount => Interlocked.Read(ref _written);

    /// <summary>The model's settings, parsed once per loaded config; invalid parameters mean off (the loader rejects them first).</summary>
    internal PayloadLogSettings SettingsFor(ModelConfig config) =>
        _settings.GetValue(config, static c => PayloadLogSettings.Parse(c.Parameters) is { IsOk: true } r ? r.Value : PayloadLogSettings.Off);

    /// <summary>Hands a record to the background writer without waiting; false (and counted) when the log is full.</summary>
    public bool TryWrite(PayloadRecord record)
    {
        if (_channel.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Waits until every accepted record has been handed to the sinks (tests, shutdown).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (WrittenCount < AcceptedCount && Stopwatch.GetTimestamp() < deadline && !_writer.IsCompleted)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        foreach (var sink in _sinks)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PayloadRecord>(MaxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var record))
            {
                if (_serialize)
                {
                    record.Json = PayloadJson.Serialize(record);
                }

                batch.Add(record);
            }

            foreach (var sink in _sinks)
            {
                try
                {
                    await sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    PayloadLogLog.SinkFailed(_logger, sink.Name, batch.Count, e);
                }
            }

            Interlocked.Add(ref _written, batch.Count);
            batch.Clear();
        }
    }
}
