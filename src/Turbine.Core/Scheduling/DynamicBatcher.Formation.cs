namespace Turbine.Core.Scheduling;

internal sealed partial class DynamicBatcher
{
    /// <summary>
    /// Hands batches to free instances while a batch is ready, then arms the timer for the next moment
    /// something can change on its own: a held batch's delay running out or a queue timeout.
    /// </summary>
    private void PumpLocked() => PumpLocked(out _, allowInline: false);

    /// <summary>
    /// Hands every batch that should run now to a free instance. With <paramref name="allowInline"/> the first batch
    /// is returned to the caller instead (a request thread runs it itself: no hand-off to a worker thread and back,
    /// which costs more than a tiny model's whole run).
    /// </summary>
    private void PumpLocked(out (Worker Worker, Batch Batch)? inline, bool allowInline)
    {
        inline = null;
        if (_disposed)
        {
            return;
        }

        var now = _time.GetTimestamp();
        ExpireLocked(now);
        var hold = long.MaxValue;
        while (_free.Count > 0 && _queued > 0)
        {
            var members = TryFormLocked(now, out hold);
            if (members is null)
            {
                break;
            }

            foreach (var entry in members)
            {
                RemoveQueuedLocked(entry);
                entry.State = EntryState.Running;
            }

            var worker = _free.Pop();
            var batch = new Batch(members, now);
            if (allowInline && inline is null)
            {
                inline = (worker, batch);
            }
            else
            {
                worker.Assign(batch);
            }
        }

        ArmTimerLocked(now, Math.Min(hold, NextDeadlineLocked()));
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timer.Fired();
            PumpLocked();
        }
    }

    private void ArmTimerLocked(long now, long wake) => _timer.Arm(now, wake);

    /// <summary>
    /// The next batch if it should run now: a prefix of the queued requests (in priority, then FIFO order) that
    /// agree on their inputs beyond the batch dimension and fit in max_batch_size, cut back to the largest
    /// preferred size it reaches exactly. A batch that is not preferred, not full and could still grow is held
    /// until its oldest request has waited max_queue_delay; then null is returned with that moment in
    /// <paramref name="hold"/>.
    /// </summary>
    private List<Entry>? TryFormLocked(long now, out long hold)
    {
        hold = long.MaxValue;
        var members = new List<Entry>();
        ScheduleRequest? first = null;
        long sum = 0;
        var preferredCount = 0;
        var closed = false;
        var oldest = long.MaxValue;
        foreach (var entry in QueuedInOrder())
        {
            var size = entry.Request.BatchSize;
            if (first is null)
            {
                first = entry.Request;
            }
            else if (_maxBatchSize == 0 || sum + size > _maxBatchSize || !SameItemShapes(first.Value, entry.Request))
            {
                closed = true;
                break;
            }

            members.Add(entry);
            sum += size;
            oldest = Math.Min(oldest, entry.Enqueued);
            if (_preferred.Contains(sum))
            {
                preferredCount = members.Count;
            }

            if (_maxBatchSize == 0 || sum >= _maxBatchSize)
            {
                closed = true;
                break;
            }
        }

        if (first is null)
        {
            return null;
        }

        if (preferredCount > 0)
        {
            members.RemoveRange(preferredCount, members.Count - preferredCount);
            return members;
        }

        if (closed || _delayTicks == 0 || now - oldest >= _delayTicks)
        {
            return members;
        }

        hold = oldest + _delayTicks;
        return null;
    }

    /// <summary>True when both requests have the same inputs with the same type and shape beyond the batch dimension.</summary>
    private static bool SameItemShapes(ScheduleRequest a, ScheduleRequest b)
    {
        if (a.Inputs.Count != b.Inputs.Count)
        {
            return false;
        }

        foreach (var input in a.Inputs)
        {
            var match = FindInput(b, input.Name);
            if (match is null || match.DataType != input.DataType || match.Shape.Length != input.Shape.Length
                || !input.Shape.AsSpan(1).SequenceEqual(match.Shape.AsSpan(1)))
            {
                return false;
            }
        }

        return true;
    }

    private static Tensors.InferenceTensor? FindInput(ScheduleRequest request, string name)
    {
        foreach (var input in request.Inputs)
        {
            if (input.Name == name)
            {
                return input;
            }
        }

        return null;
    }

    private sealed record Batch(List<Entry> Members, long Started);
}
