namespace Turbine.Core.Scheduling;

internal sealed partial class SequenceBatcher
{
    /// <summary>
    /// Releases idle sequences, hands a batch to every free instance that has one ready, then arms the timer for
    /// the next moment something changes on its own: a held batch's delay or an idle release.
    /// </summary>
    private void PumpLocked(long now)
    {
        if (_disposed)
        {
            return;
        }

        ReleaseIdleLocked(now);
        ExpireBacklogLocked(now);
        var hold = long.MaxValue;
        foreach (var worker in _workers)
        {
            if (worker.Busy || _queued == 0)
            {
                continue;
            }

            var members = TryFormLocked(worker, now, ref hold);
            if (members is null)
            {
                continue;
            }

            foreach (var entry in members)
            {
                entry.Sequence.Pending.Remove(entry.Node!);
                entry.Node = null;
                entry.Sequence.Running = true;
                entry.State = EntryState.Running;
                _queued--;
            }

            worker.Busy = true;
            worker.Assign(new Batch(members, now));
        }

        ArmTimerLocked(now, Math.Min(hold, Math.Min(NextIdleReleaseLocked(), NextBacklogDeadlineLocked())));
    }

    /// <summary>
    /// The next batch for <paramref name="worker"/>: the oldest ready request of each sequence it may run (direct:
    /// the sequences pinned to it; oldest: any candidate), one per sequence, up to max(max_batch_size, 1), only
    /// requests whose inputs and states agree beyond the batch dimension. Oldest cuts it to the largest preferred
    /// size reached. A batch that is not full waits until its oldest request has waited max_queue_delay.
    /// </summary>
    private List<Entry>? TryFormLocked(Worker worker, long now, ref long hold)
    {
        var ready = new List<Entry>();
        var eligible = 0;
        foreach (var sequence in _sequences.Values)
        {
            if (!sequence.HasSlot || (sequence.Pinned is not null && sequence.Pinned != worker))
            {
                continue;
            }

            eligible++;
            if (!sequence.Running && sequence.Pending.First is { } head)
            {
                ready.Add(head.Value);
            }
        }

        if (ready.Count == 0)
        {
            return null;
        }

        ready.Sort(static (a, b) => a.Enqueued.CompareTo(b.Enqueued));
        var members = new List<Entry>(Math.Min(ready.Count, _maxBatch));
        foreach (var entry in ready)
        {
            if (members.Count == _maxBatch)
            {
                break;
            }

            if (members.Count == 0 || Compatible(members[0], entry))
            {
                members.Add(entry);
            }
        }

        var preferred = false;
        for (var i = _preferred.Length - 1; i >= 0; i--)
        {
            if (_preferred[i] <= members.Count)
            {
                members.RemoveRange((int)_preferred[i], members.Count - (int)_preferred[i]);
                preferred = true;
                break;
            }
        }

        // Full: no more room, or (direct) every sequence on this instance has its request here.
        var full = members.Count >= _maxBatch || (!_oldest && members.Count >= eligible);
        var oldest = members[0].Enqueued;
        if (full || preferred || _delayTicks == 0 || now - oldest >= _delayTicks)
        {
            return members;
        }

        hold = Math.Min(hold, oldest + _delayTicks);
        return null;
    }

    /// <summary>True when both requests' inputs and states have the same types and shapes beyond the batch dimension.</summary>
    private bool Compatible(Entry a, Entry b)
    {
        var ra = a.Request;
        var rb = b.Request;
        if (ra.Inputs.Count != rb.Inputs.Count)
        {
            return false;
        }

        foreach (var input in ra.Inputs)
        {
            var match = FindInput(rb, input.Name);
            if (match is null || match.DataType != input.DataType || match.Shape.Length != input.Shape.Length
                || !input.Shape.AsSpan(1).SequenceEqual(match.Shape.AsSpan(1)))
            {
                return false;
            }
        }

        for (var i = 0; i < _states.Length; i++)
        {
            if (!StateFor(a, i).Shape.AsSpan().SequenceEqual(StateFor(b, i).Shape))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The state input a request runs with: the initial value on start, else what its sequence carried.</summary>
    private StateValue StateFor(Entry entry, int index) =>
        entry.Start || entry.Sequence.States is null ? _initialStates[index] : entry.Sequence.States[index];

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

    private void OnTimer()
    {
        lock (_gate)
        {
            _timer.Fired();
            PumpLocked(_time.GetTimestamp());
        }
    }

    private void ArmTimerLocked(long now, long wake) => _timer.Arm(now, wake);

    private sealed record Batch(List<Entry> Members, long Started);
}
