using Turbine.Core.Config;

namespace Turbine.Core.Scheduling;

internal sealed partial class DynamicBatcher
{
    private enum EntryState
    {
        Queued,
        Running,
        Held,
        Done,
    }

    /// <summary>One request from the moment it is queued until it is answered. Guarded by the batcher's lock.</summary>
    private sealed class Entry(ScheduleRequest request, LevelQueue level, long enqueued)
    {
        public ScheduleRequest Request { get; } = request;

        public LevelQueue Level { get; } = level;

        /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) when the request was queued.</summary>
        public long Enqueued { get; } = enqueued;

        public TaskCompletionSource<Result<ScheduledExecution>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EntryState State { get; set; } = EntryState.Queued;

        /// <summary>Timestamp at which the queue policy's timeout acts; 0 for none.</summary>
        public long Deadline { get; set; }

        public long TimeoutMicroseconds { get; set; }

        /// <summary>Its timeout passed under <c>DELAY</c>: it now waits behind the level's other requests.</summary>
        public bool Delayed { get; set; }

        public bool CancelRequested { get; set; }

        public LinkedListNode<Entry>? QueueNode { get; set; }

        public LinkedListNode<Entry>? ArrivalNode { get; set; }

        public Result<ScheduledExecution> Outcome { get; set; }
    }

    /// <summary>
    /// One priority level: FIFO requests, then (Triton's <c>DELAY</c> action) requests whose timeout passed,
    /// in the order they expired. <c>max_queue_size</c> counts both.
    /// </summary>
    private sealed class LevelQueue(int level, ModelQueuePolicy policy)
    {
        public int Level { get; } = level;

        public ModelQueuePolicy Policy { get; } = policy;

        public LinkedList<Entry> Waiting { get; } = new();

        public LinkedList<Entry> Delayed { get; } = new();

        public int Count => Waiting.Count + Delayed.Count;

        public Entry? First => Waiting.First?.Value ?? Delayed.First?.Value;

        public void Add(Entry entry) => entry.QueueNode = Waiting.AddLast(entry);

        public void Delay(Entry entry)
        {
            Waiting.Remove(entry.QueueNode!);
            entry.Delayed = true;
            entry.QueueNode = Delayed.AddLast(entry);
        }

        public void Remove(Entry entry)
        {
            (entry.Delayed ? Delayed : Waiting).Remove(entry.QueueNode!);
            entry.QueueNode = null;
        }
    }

    /// <summary>Queued requests in the order batches take them: level 1 first; in a level FIFO, then the delayed ones.</summary>
    private IEnumerable<Entry> QueuedInOrder()
    {
        foreach (var level in _levels)
        {
            foreach (var entry in level.Waiting)
            {
                yield return entry;
            }

            foreach (var entry in level.Delayed)
            {
                yield return entry;
            }
        }
    }

    private void RemoveQueuedLocked(Entry entry)
    {
        entry.Level.Remove(entry);
        _queued--;
    }

    /// <summary>Applies the queue policies' timeouts that are due: REJECT answers the request, DELAY moves it back.</summary>
    private void ExpireLocked(long now)
    {
        while (_deadlines.TryPeek(out var entry, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (entry.State != EntryState.Queued || entry.Delayed)
            {
                continue;
            }

            if (entry.Level.Policy.TimeoutAction == TimeoutAction.Delay)
            {
                entry.Level.Delay(entry);
            }
            else
            {
                RemoveQueuedLocked(entry);
                FinishLocked(entry, InferenceError.Unavailable($"request timed out in the queue after {entry.TimeoutMicroseconds} us"));
            }
        }
    }

    /// <summary>The earliest pending timeout, dropping entries that left the queue.</summary>
    private long NextDeadlineLocked()
    {
        while (_deadlines.TryPeek(out var entry, out var deadline))
        {
            if (entry.State == EntryState.Queued && !entry.Delayed)
            {
                return deadline;
            }

            _deadlines.Dequeue();
        }

        return long.MaxValue;
    }
}
