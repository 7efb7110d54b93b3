using System.Collections.Immutable;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Repository;
using Turbine.Core.Stats;
using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Triton's sequence batcher for stateful models. A sequence (a <c>sequence_id</c> from its
/// <c>sequence_start</c> request to its <c>sequence_end</c> request) holds a slot from its start until it ends or
/// stays idle for <c>max_sequence_idle_microseconds</c>; its requests run one at a time, in arrival order. The
/// batcher fills the control inputs (START, END, READY, CORRID) per batch item and carries each state output to
/// the sequence's next request as its state input; every sequence keeps its own state.
/// <list type="bullet">
/// <item><c>direct</c> (the default): each sequence is pinned to a slot on one instance (max(max_batch_size, 1)
/// slots per instance); a batch is the instance's slots that have a request ready, compacted (no empty slots).</item>
/// <item><c>oldest</c>: up to <c>max_candidate_sequences</c> sequences hold a slot; any free instance runs the
/// oldest ready requests of distinct sequences up to max_batch_size, cut to a preferred size.</item>
/// </list>
/// Sequences that start while every slot is taken wait in a backlog until a slot frees. A partial batch waits
/// at most <c>max_queue_delay_microseconds</c>. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class SequenceBatcher : IScheduler
{
    public const string PolicyName = "sequence";

    private const int ReleasedMemory = 4096;

    private readonly Lock _gate = new();
    private readonly ModelStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly string _modelName;
    private readonly bool _batching;
    private readonly int _maxBatch;
    private readonly bool _oldest;
    private readonly int _candidateLimit;
    private readonly ImmutableArray<long> _preferred;
    private readonly long _delayTicks;
    private readonly long _idleTicks;
    private readonly long _idleUs;
    private readonly SequenceBacklogSettings _backlogLimits;
    private readonly long _startTimeoutTicks;
    private readonly ImmutableArray<SequenceControlInput> _controls;
    private readonly ImmutableArray<SequenceState> _states;
    private readonly StateValue[] _initialStates;
    private readonly Worker[] _workers;
    private readonly Dictionary<CorrelationId, Sequence> _sequences = [];
    private readonly LinkedList<Sequence> _backlog = new();
    private readonly Dictionary<CorrelationId, string> _released = [];
    private readonly Queue<CorrelationId> _releasedOrder = new();
    private readonly WakeupTimer _timer;
    private int _candidates;
    private int _queued;
    private bool _disposed;

    public SequenceBatcher(ModelConfig config, IReadOnlyList<IModelInstance> instances, ModelStatistics statistics, TimeProvider time, ModelFiles? files = null)
    {
        var sb = config.SequenceBatching ?? new ModelSequenceBatching();
        _modelName = config.Name;
        _statistics = statistics;
        _time = time;
        _batching = config.MaxBatchSize > 0;
        _maxBatch = Math.Max(config.MaxBatchSize, 1);
        _oldest = sb.Oldest is not null;
        _candidateLimit = sb.Oldest is { MaxCandidateSequences: > 0 } o ? o.MaxCandidateSequences : _maxBatch * Math.Max(instances.Count, 1);
        _preferred = sb.Oldest is { } old ? [.. old.PreferredBatchSizes.Select(p => (long)p).Order()] : [];
        _delayTicks = MicrosecondsToTicks(sb.Oldest?.MaxQueueDelayMicroseconds ?? sb.Direct?.MaxQueueDelayMicroseconds ?? 0);
        _idleUs = sb.EffectiveMaxSequenceIdleMicroseconds;
        _idleTicks = MicrosecondsToTicks(_idleUs);
        _backlogLimits = SequenceBacklogSettings.Parse(config.Parameters) is { IsOk: true } limits ? limits.Value : SequenceBacklogSettings.Default;
        _startTimeoutTicks = MicrosecondsToTicks(_backlogLimits.StartTimeoutMicroseconds);
        _controls = sb.ControlInputs;
        _states = sb.States;
        _initialStates = [.. _states.Select(s => InitialState(s, files))];
        _timer = new WakeupTimer(time, OnTimer);
        _workers = [.. instances.Select(i => new Worker(this, i))];
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    public string Name => PolicyName;

    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>Sequences holding a slot or waiting in the backlog (for tests and diagnostics).</summary>
    internal int ActiveSequences
    {
        get
        {
            lock (_gate)
            {
                return _sequences.Count;
            }
        }
    }

    public async ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        if (request.Sequence is not { } sequence)
        {
            return InferenceError.InvalidArgument($"model '{_modelName}' is stateful: sequence_id is required");
        }

        if (request.BatchSize != 1)
        {
            return InferenceError.InvalidArgument(
                $"model '{_modelName}' is stateful: a sequence request must have batch size 1, got {request.BatchSize}");
        }

        if (CheckCorrelationId(sequence.Id) is { } idError)
        {
            return idError;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Cancelled("while waiting in the queue");
        }

        Entry entry;
        lock (_gate)
        {
            if (_disposed)
            {
                return InferenceError.Unavailable($"model '{_modelName}' is being unloaded");
            }

            var now = _time.GetTimestamp();
            ReleaseIdleLocked(now);
            ExpireBacklogLocked(now);
            _sequences.TryGetValue(sequence.Id, out var active);
            if (!sequence.Start && (active is null || active.Ended))
            {
                return NotActive(sequence.Id, active is null ? null : "ended with sequence_end");
            }

            if (active is null)
            {
                active = new Sequence(sequence.Id) { LastActivity = now };
                if (!TryAssignSlotLocked(active))
                {
                    if (_backlog.Count >= _backlogLimits.MaxSize)
                    {
                        return BacklogFull(sequence.Id);
                    }

                    active.BacklogDeadline = _startTimeoutTicks > 0 ? now + _startTimeoutTicks : long.MaxValue;
                    active.BacklogNode = _backlog.AddLast(active);
                }

                _sequences[sequence.Id] = active;
                _released.Remove(sequence.Id);
            }

            // A start on an active sequence restarts it (Triton): its state is reset when that request runs.
            active.Ended = sequence.End;
            entry = new Entry(request, active, sequence.Start, sequence.End, now);
            entry.Node = active.Pending.AddLast(entry);
            _queued++;
            PumpLocked(now);
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
            foreach (var sequence in _sequences.Values)
            {
                while (sequence.Pending.First is { } node)
                {
                    sequence.Pending.RemoveFirst();
                    _queued--;
                    node.Value.Finish(InferenceError.Unavailable($"model '{_modelName}' was unloaded while the request waited in the queue"));
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

    private InferenceError NotActive(CorrelationId id, string? reason)
    {
        reason ??= _released.GetValueOrDefault(id);
        return InferenceError.InvalidArgument(reason is null
            ? $"sequence {id} is not active for model '{_modelName}': the first request of a sequence must set sequence_start"
            : $"sequence {id} is not active ({reason}) for model '{_modelName}': send a request with sequence_start to start it again");
    }

    /// <summary>A CORRID control input fixes which kind of id the model takes.</summary>
    private InferenceError? CheckCorrelationId(CorrelationId id)
    {
        foreach (var control in _controls)
        {
            if (control.Controls is not [{ Kind: SequenceControlKind.SequenceCorrId } c])
            {
                continue;
            }

            var fits = c.DataType switch
            {
                TensorDataType.Bytes => true,
                TensorDataType.UInt64 => !id.IsString,
                TensorDataType.Int64 => !id.IsString && id.Number <= long.MaxValue,
                TensorDataType.UInt32 => !id.IsString && id.Number <= uint.MaxValue,
                TensorDataType.Int32 => !id.IsString && id.Number <= int.MaxValue,
                _ => false,
            };
            if (!fits)
            {
                return InferenceError.InvalidArgument(
                    $"model '{_modelName}' takes sequence ids that fit its CONTROL_SEQUENCE_CORRID input '{control.Name}' ({c.DataType.ToConfigName()}), got sequence_id {id}");
            }
        }

        return null;
    }

    private void OnCancelled(Entry entry)
    {
        lock (_gate)
        {
            if (entry.State == EntryState.Queued)
            {
                entry.Sequence.Pending.Remove(entry.Node!);
                entry.Node = null;
                _queued--;
                entry.Finish(Cancelled("while waiting in the queue"));
                PumpLocked(_time.GetTimestamp());
            }
            else if (entry.State == EntryState.Running)
            {
                entry.CancelRequested = true;
            }
        }
    }

    private static InferenceError Cancelled(string when) => new(StatusCode.Cancelled, $"request cancelled {when}");

    private long MicrosecondsToTicks(long microseconds) =>
        microseconds <= 0 ? 0 : (long)Math.Min(microseconds * (_time.TimestampFrequency / 1_000_000.0), long.MaxValue / 4);
}
