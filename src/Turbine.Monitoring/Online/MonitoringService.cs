using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Turbine.Monitoring.Online;

/// <summary>
/// Online monitoring for every configured model. The tap (<see cref="TryObserve"/>) never waits: it hands the
/// observation to a bounded channel with <c>TryWrite</c> and counts a drop when the channel is full, like the payload
/// log. One background reader feeds the models' <see cref="ModelMonitor"/>s.
/// </summary>
public sealed partial class MonitoringService : IAsyncDisposable
{
    /// <summary>Observations the channel holds before new ones are dropped, by default.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>Models monitored at most (bounds the metric label sets).</summary>
    public const int MaxModels = 256;

    private readonly ConcurrentDictionary<string, ModelMonitor> _models = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _channel;
    private Task _reader;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _dropped;
    private long _accepted;
    private long _processed;
    private long _unsampled;
    private long _unknownModelFeedback;

    public MonitoringService(int capacity = DefaultCapacity, TimeProvider? time = null, ILogger? logger = null)
        : this(capacity, time, logger, startReader: true)
    {
    }

    /// <summary>Tests: <paramref name="startReader"/> false leaves the channel unread until <see cref="StartReader"/>, so drops are deterministic.</summary>
    internal MonitoringService(int capacity, TimeProvider? time, ILogger? logger, bool startReader)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full channel returns false, nothing waits
            SingleReader = true,
            SingleWriter = false,
        });
        _reader = startReader ? Task.Run(ReadLoopAsync) : Task.CompletedTask;
    }

    internal void StartReader() => _reader = Task.Run(ReadLoopAsync);

    public long DroppedCount => Interlocked.Read(ref _dropped);

    public long AcceptedCount => Interlocked.Read(ref _accepted);

    public long ProcessedCount => Interlocked.Read(ref _processed);

    /// <summary>Feedback for a model that is not monitored.</summary>
    public long UnknownModelFeedback => Interlocked.Read(ref _unknownModelFeedback);

    public TimeProvider Time => _time;

    public IReadOnlyCollection<ModelMonitor> Models => _models.Values.ToArray();

    /// <summary>Starts (or replaces) monitoring of <paramref name="model"/>.</summary>
    public ModelMonitor Configure(string model, MonitorSettings settings)
    {
        if (!_models.ContainsKey(model) && _models.Count >= MaxModels)
        {
            throw new InvalidOperationException($"at most {MaxModels} models can be monitored; '{model}' is one too many");
        }

        var monitor = new ModelMonitor(model, settings, _time);
        _models[model] = monitor;
        return monitor;
    }

    public bool Remove(string model) => _models.TryRemove(model, out _);

    public ModelMonitor? Find(string model) => _models.TryGetValue(model, out var m) ? m : null;

    /// <summary>Whether a request of <paramref name="model"/> is to be observed (monitored and sampled in).</summary>
    public bool ShouldSample(string model)
    {
        if (!_models.TryGetValue(model, out var monitor))
        {
            return false;
        }

        var rate = monitor.Settings.Sampling;
        if (rate >= 1 || (rate > 0 && Random.Shared.NextDouble() < rate))
        {
            return true;
        }

        Interlocked.Increment(ref _unsampled);
        return false;
    }

    /// <summary>Hands an observation to the background reader without waiting; false (and counted) when the channel is full.</summary>
    public bool TryObserve(Observation observation)
    {
        if (_channel.Writer.TryWrite(new Pending(observation, null)))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Joins labels to a served request; an unknown model or id is counted, never thrown.</summary>
    public FeedbackResult Feedback(string model, string requestId, IReadOnlyList<double> labels)
    {
        if (!_models.TryGetValue(model, out var monitor))
        {
            Interlocked.Increment(ref _unknownModelFeedback);
            return FeedbackResult.UnknownId;
        }

        return monitor.Feedback(requestId, labels);
    }

    /// <summary>Waits until every accepted observation has been processed (tests, reports, shutdown).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (ProcessedCount < AcceptedCount && Stopwatch.GetTimestamp() < deadline && !_reader.IsCompleted)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _reader.ConfigureAwait(false);
    }

    /// <summary>
    /// Drains the channel; after a drain it rests <see cref="DrainInterval"/> before waiting again, so under load the
    /// request path's writes find no waiting reader to wake (one wake-up per interval, not one per request).
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var pending))
            {
                var model = pending.Observation?.Model ?? pending.Capture!.Model;
                try
                {
                    if (_models.TryGetValue(model, out var monitor))
                    {
                        var observation = pending.Observation
                            ?? TensorObservations.FromCapture(pending.Capture!, monitor);
                        foreach (var name in monitor.Observe(observation))
                        {
                            LogUnknownFeature(_logger, model, name);
                        }
                    }
                }
                catch (Exception e)
                {
                    LogObserveFailed(_logger, model, e);
                }
                finally
                {
                    pending.Capture?.Release();
                }

                Interlocked.Increment(ref _processed);
            }

            await Task.Delay(DrainInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Rest between drains of the channel (wall-clock, not the injected time: it paces CPU, not windows).</summary>
    internal static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(5);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "monitoring of '{Model}': input '{Feature}' is not in the reference profile; it is not tested (reported once)")]
    private static partial void LogUnknownFeature(ILogger logger, string model, string feature);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Error, Message = "monitoring of '{Model}': an observation could not be processed")]
    private static partial void LogObserveFailed(ILogger logger, string model, Exception exception);
}
