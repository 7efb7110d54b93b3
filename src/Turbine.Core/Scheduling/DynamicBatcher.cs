using System.Collections.Immutable;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Stats;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Triton's dynamic batcher: requests wait in one FIFO queue per priority level (with that level's queue
/// policy) and every free instance takes the next batch the moment it is free. A batch is the largest
/// <c>preferred_batch_size</c> the queued requests fill exactly, else as many as fit in <c>max_batch_size</c>;
/// a batch that is neither preferred nor full waits until its oldest request has waited
/// <c>max_queue_delay_microseconds</c>. Requests are never split and only requests whose inputs agree beyond
/// the batch dimension share a batch. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class DynamicBatcher : IScheduler
{
    public const string PolicyName = "dynamic";

    private readonly Lock _gate = new();
    private readonly ModelStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly int _maxBatchSize;
    private readonly ImmutableHashSet<long> _preferred;
    private readonly long _delayTicks;
    private readonly bool _preserveOrdering;
    private readonly int _defaultLevel;
    private readonly LevelQueue[] _levels;
    private readonly Worker[] _workers;
    private readonly Stack<Worker> _free = new();
    private readonly PriorityQueue<Entry, long> _deadlines = new();
    private readonly LinkedList<Entry> _arrivalOrder = new();
    private readonly WakeupTimer _timer;
    private readonly string _modelName;
    private int _queued;
    private bool _disposed;

    public DynamicBatcher(ModelConfig config, IReadOnlyList<IModelInstance> instances, ModelStatistics statistics, TimeProvider time)
    {
        var batching = config.DynamicBatching ?? new ModelDynamicBatching();
        _modelName = config.Name;
        _statistics = statistics;
        _time = time;
        _maxBatchSize = Math.Max(config.MaxBatchSize, 0);
        _preferred = batching.PreferredBatchSizes.Select(p => (long)p).ToImmutableHashSet();
        _delayTicks = MicrosecondsToTicks(batching.MaxQueueDelayMicroseconds);
        _preserveOrdering = batching.PreserveOrdering;
        var levelCount = Math.Max(batching.PriorityLevels, 1);
        _defaultLevel = batching.DefaultPriorityLevel > 0 ? batching.DefaultPriorityLevel : 1;
        _levels = new LevelQueue[levelCount];
        for (var i = 0; i < levelCount; i++)
        {
            var policy = batching.PriorityQueuePolicy.TryGetValue((ulong)(i + 1), out var p) ? p : batching.DefaultQueuePolicy ?? new ModelQueuePolicy();
            _levels[i] = new LevelQueue(i + 1, policy);
        }

        _timer = new WakeupTimer(time, OnTimer);
        _workers = [.. instances.Select(i => new Worker(this, i))];
        for (var i = _workers.Length - 1; i >= 0; i--)
        {
            _free.Push(_workers[i]);
            _workers[i].Start();
        }
    }

    public string Name => PolicyName;

    public int QueueDepth => Volatile.Read(ref _queued);

    public async ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        if (request.Priority < 0 || request.Priority > _levels.Length)
        {
            return InferenceError.InvalidArgument(
                $"request priority {request.Priority} for model '{_modelName}' is out of range: expected 0 (the default level {_defaultLevel}) or 1..{_levels.Length} (priority_levels {_levels.Length}, 1 is the highest)");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Cancelled("while waiting in the queue");
        }

        var level = _levels[(request.Priority == 0 ? _defaultLevel : (int)request.Priority) - 1];
        var entry = new Entry(request, level, _time.GetTimestamp());
        var timeoutUs = level.Policy.DefaultTimeoutMicroseconds;
        if (level.Policy.AllowTimeoutOverride && request.TimeoutMicroseconds > 0)
        {
            timeoutUs = request.TimeoutMicroseconds;
        }

        (Worker Worker, Batch Batch)? inline;
        lock (_gate)
        {
            if (_disposed)
            {
                return InferenceError.Unavailable($"model '{_modelName}' is being unloaded");
            }

            if (level.Policy.MaxQueueSize > 0 && level.Count >= level.Policy.MaxQueueSize)
            {
                return InferenceError.Unavailable(
                    $"queue of priority level {level.Level} is full (max_queue_size {level.Policy.MaxQueueSize})");
            }

            if (timeoutUs > 0)
            {
                entry.TimeoutMicroseconds = timeoutUs;
                entry.Deadline = entry.Enqueued + MicrosecondsToTicks(timeoutUs);
                _deadlines.Enqueue(entry, entry.Deadline);
            }

            level.Add(entry);
            _queued++;
            if (_preserveOrdering)
            {
                entry.ArrivalNode = _arrivalOrder.AddLast(entry);
            }

            PumpLocked(out inline, allowInline: true);
        }

        if (inline is { } run)
        {
            // Off the caller's stack (the caller gets a pending task, as with a worker), but on the pool thread
            // that picks this up rather than a parked worker thread that has to be woken.
            await Task.Yield();
            RunBatch(run.Worker, run.Batch);
        }

        using var registration = cancellationToken.Register(() => OnCancelled(entry));
        return await entry.Completion.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var level in _levels)
            {
                while (level.First is { } entry)
                {
                    RemoveQueuedLocked(entry);
                    FinishLocked(entry, InferenceError.Unavailable($"model '{_modelName}' was unloaded while the request waited in the queue"));
                }
            }
        }

        _timer.Dispose();
        foreach (var worker in _workers)
        {
            worker.Stop();
        }

        foreach (var worker in _workers)
        {
            worker.Join();
            worker.Instance.Dispose();
        }
    }

    private void OnCancelled(Entry entry)
    {
        lock (_gate)
        {
            switch (entry.State)
            {
                case EntryState.Queued:
                    // Removed before it ran: the caller gets its answer now and releases its buffers.
                    RemoveQueuedLocked(entry);
                    FinishLocked(entry, Cancelled("while waiting in the queue"));
                    PumpLocked();
                    break;
                case EntryState.Running:
                    // Its batch keeps running for the others; this request's slice is dropped when it ends.
                    entry.CancelRequested = true;
                    break;
                case EntryState.Held:
                    // Finished but held back for preserve_ordering: answer now and drop the outputs.
                    DisposeOutputs(entry.Outcome);
                    entry.Outcome = Cancelled("while its response waited for earlier responses");
                    ReleaseInOrderLocked(entry);
                    break;
            }
        }
    }

    /// <summary>Completes a request, or with preserve_ordering holds it until every earlier request is answered.</summary>
    private void FinishLocked(Entry entry, Result<ScheduledExecution> outcome)
    {
        if (entry.CancelRequested && outcome.IsOk)
        {
            DisposeOutputs(outcome);
            outcome = Cancelled("during execution");
        }

        entry.Outcome = outcome;
        if (entry.ArrivalNode is null)
        {
            entry.State = EntryState.Done;
            entry.Completion.TrySetResult(outcome);
            return;
        }

        entry.State = EntryState.Held;
        if (!outcome.IsOk && outcome.Error.Code == StatusCode.Cancelled)
        {
            ReleaseInOrderLocked(entry);
            return;
        }

        while (_arrivalOrder.First is { } head && head.Value.State == EntryState.Held)
        {
            ReleaseInOrderLocked(head.Value);
        }
    }

    private void ReleaseInOrderLocked(Entry entry)
    {
        if (entry.ArrivalNode is { } node)
        {
            _arrivalOrder.Remove(node);
            entry.ArrivalNode = null;
        }

        entry.State = EntryState.Done;
        entry.Completion.TrySetResult(entry.Outcome);
        while (_arrivalOrder.First is { } head && head.Value.State == EntryState.Held)
        {
            _arrivalOrder.RemoveFirst();
            head.Value.ArrivalNode = null;
            head.Value.State = EntryState.Done;
            head.Value.Completion.TrySetResult(head.Value.Outcome);
        }
    }

    private static void DisposeOutputs(Result<ScheduledExecution> outcome)
    {
        if (outcome.IsOk)
        {
            foreach (var output in outcome.Value.Result.Outputs)
            {
                output.Dispose();
            }
        }
    }

    private static InferenceError Cancelled(string when) => new(StatusCode.Cancelled, $"request cancelled {when}");

    private long MicrosecondsToTicks(long microseconds) =>
        microseconds <= 0 ? 0 : (long)Math.Min(microseconds * (_time.TimestampFrequency / 1_000_000.0), long.MaxValue / 4);
}
