using Turbine.Core.Config;
using Turbine.Core.Repository;
using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

internal sealed partial class SequenceBatcher
{
    private enum EntryState
    {
        Queued,
        Running,
        Done,
    }

    /// <summary>One active sequence. Guarded by the batcher's lock, except <see cref="States"/> while it runs.</summary>
    private sealed class Sequence(CorrelationId id)
    {
        public CorrelationId Id { get; } = id;

        public bool HasSlot { get; set; }

        /// <summary>Direct: the instance its slot is on. Oldest: null (any instance).</summary>
        public Worker? Pinned { get; set; }

        public LinkedList<Entry> Pending { get; } = new();

        /// <summary>One of its requests is executing: the next waits (requests of a sequence run in order).</summary>
        public bool Running { get; set; }

        /// <summary>Its last queued request set sequence_end.</summary>
        public bool Ended { get; set; }

        public long LastActivity { get; set; }

        /// <summary>The state inputs of its next request; null until its first request ran.</summary>
        public StateValue[]? States { get; set; }

        public LinkedListNode<Sequence>? BacklogNode { get; set; }

        /// <summary>While in the backlog: when its start gives up waiting for a slot (<see cref="long.MaxValue"/> = never).</summary>
        public long BacklogDeadline { get; set; } = long.MaxValue;
    }

    /// <summary>One state tensor of one sequence, without the batch dimension.</summary>
    private sealed record StateValue(long[] Shape, byte[] Data);

    private sealed class Entry(ScheduleRequest request, Sequence sequence, bool start, bool end, long enqueued)
    {
        public ScheduleRequest Request { get; } = request;

        public Sequence Sequence { get; } = sequence;

        public bool Start { get; } = start;

        public bool End { get; } = end;

        public long Enqueued { get; } = enqueued;

        public TaskCompletionSource<Result<ScheduledExecution>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EntryState State { get; set; } = EntryState.Queued;

        public LinkedListNode<Entry>? Node { get; set; }

        public bool CancelRequested { get; set; }

        public void Finish(Result<ScheduledExecution> outcome)
        {
            State = EntryState.Done;
            Completion.TrySetResult(outcome);
        }
    }

    /// <summary>Direct: the least used instance with a free slot. Oldest: a candidate place if one is free.</summary>
    private bool TryAssignSlotLocked(Sequence sequence)
    {
        if (_oldest)
        {
            if (_candidates >= _candidateLimit)
            {
                return false;
            }

            _candidates++;
            sequence.HasSlot = true;
            return true;
        }

        Worker? best = null;
        foreach (var worker in _workers)
        {
            if (worker.SlotsUsed < _maxBatch && (best is null || worker.SlotsUsed < best.SlotsUsed))
            {
                best = worker;
            }
        }

        if (best is null)
        {
            return false;
        }

        best.SlotsUsed++;
        sequence.Pinned = best;
        sequence.HasSlot = true;
        return true;
    }

    /// <summary>Frees the sequence's slot and state and gives the slot to the oldest backlogged sequence.</summary>
    private void ReleaseLocked(Sequence sequence, string reason)
    {
        _sequences.Remove(sequence.Id);
        sequence.States = null;
        if (sequence.BacklogNode is { } node)
        {
            _backlog.Remove(node);
            sequence.BacklogNode = null;
        }

        if (sequence.HasSlot)
        {
            sequence.HasSlot = false;
            if (sequence.Pinned is { } worker)
            {
                worker.SlotsUsed--;
                sequence.Pinned = null;
            }
            else
            {
                _candidates--;
            }

            while (_backlog.First is { } waiting && TryAssignSlotLocked(waiting.Value))
            {
                _backlog.RemoveFirst();
                waiting.Value.BacklogNode = null;
            }
        }

        if (_released.TryAdd(sequence.Id, reason))
        {
            _releasedOrder.Enqueue(sequence.Id);
        }
        else
        {
            _released[sequence.Id] = reason;
        }

        while (_releasedOrder.Count > ReleasedMemory)
        {
            _released.Remove(_releasedOrder.Dequeue());
        }
    }

    private bool IsIdle(Sequence sequence) => sequence.HasSlot && !sequence.Running && sequence.Pending.Count == 0;

    /// <summary>Releases the sequences that had no request for max_sequence_idle_microseconds.</summary>
    private void ReleaseIdleLocked(long now)
    {
        List<Sequence>? idle = null;
        foreach (var sequence in _sequences.Values)
        {
            if (IsIdle(sequence) && now - sequence.LastActivity >= _idleTicks)
            {
                (idle ??= []).Add(sequence);
            }
        }

        foreach (var sequence in idle ?? [])
        {
            ReleaseLocked(sequence, $"released after idle for more than max_sequence_idle_microseconds {_idleUs} us");
        }
    }

    /// <summary>
    /// Refuses the backlogged sequences whose start waited sequence_start_timeout_microseconds for a slot: their
    /// queued requests fail with UNAVAILABLE naming the limit, and the sequence is no longer active.
    /// </summary>
    private void ExpireBacklogLocked(long now)
    {
        // Every start waits the same time, so the backlog (oldest first) is also in deadline order.
        while (_backlog.First is { } first && first.Value.BacklogDeadline <= now)
        {
            var sequence = first.Value;
            var error = InferenceError.Unavailable(
                $"sequence {sequence.Id} of model '{_modelName}' waited {_backlogLimits.StartTimeoutMicroseconds} us for a free sequence slot "
                + $"(sequence_start_timeout_microseconds {_backlogLimits.StartTimeoutMicroseconds}); all {SlotCount} slots are held by active sequences, retry later");
            while (sequence.Pending.First is { } node)
            {
                sequence.Pending.RemoveFirst();
                node.Value.Node = null;
                _queued--;
                node.Value.Finish(error);
            }

            ReleaseLocked(sequence, "its start timed out waiting for a free sequence slot");
        }
    }

    /// <summary>The refusal of a start that finds every slot taken and the backlog at its limit.</summary>
    private InferenceError BacklogFull(CorrelationId id) => InferenceError.Unavailable(
        $"sequence {id} of model '{_modelName}' cannot start: all {SlotCount} sequence slots are held and {_backlog.Count} starts already wait "
        + $"(sequence_backlog_max_size {_backlogLimits.MaxSize}); retry later");

    /// <summary>Sequences that can hold a slot at once.</summary>
    private int SlotCount => _oldest ? _candidateLimit : _maxBatch * _workers.Length;

    /// <summary>When the oldest backlogged start gives up waiting.</summary>
    private long NextBacklogDeadlineLocked() => _backlog.First?.Value.BacklogDeadline ?? long.MaxValue;

    /// <summary>The moment the next idle sequence is due for release.</summary>
    private long NextIdleReleaseLocked()
    {
        var next = long.MaxValue;
        foreach (var sequence in _sequences.Values)
        {
            if (IsIdle(sequence))
            {
                next = Math.Min(next, sequence.LastActivity + _idleTicks);
            }
        }

        return next;
    }

    /// <summary>
    /// A state's value at sequence start: the initial_state's data_file (under <c>initial_state/</c> in the model
    /// folder) or zeros of its dims (the state's dims when it names none; a variable dimension starts empty).
    /// </summary>
    private static StateValue InitialState(SequenceState state, ModelFiles? files)
    {
        var initial = state.InitialState.IsEmpty ? null : state.InitialState[0];
        var dims = initial is { Dims.IsEmpty: false } ? initial.Dims : state.Dims;
        long[] shape = [.. dims.Select(d => Math.Max(d, 0))];
        var elements = TensorShape.ElementCount(shape);
        var expected = state.DataType == TensorDataType.Bytes ? -1 : elements * state.DataType.ElementSize();
        if (initial is { DataFile.Length: > 0 })
        {
            var field = $"sequence_batching state '{state.InputName}': initial_state data_file";
            var data = files?.ReadAllBytes("initial_state", initial.DataFile, field, ModelFileKind.InitialState)
                ?? throw new InferenceException(StatusCode.InvalidArgument, $"{field} '{initial.DataFile}' cannot be read: the scheduler has no model folder");
            if (expected >= 0 && data.Length != expected)
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"sequence_batching state '{state.InputName}': initial_state data_file '{initial.DataFile}' has {data.Length} bytes, expected {expected} ({elements} elements of {state.DataType.ToConfigName()})");
            }

            return new StateValue(shape, data);
        }

        // Zeros; a BYTES state starts as empty strings (a zero length each).
        return new StateValue(shape, new byte[expected >= 0 ? expected : elements * 4]);
    }
}
