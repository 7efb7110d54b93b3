namespace Turbine.Core.Scheduling;

/// <summary>
/// A one-shot timer on the injected <see cref="TimeProvider"/> set for the next moment a scheduler has something to
/// do on its own (a held batch's delay, a queue timeout, an idle sequence). Callers hold their scheduler's lock.
/// </summary>
internal sealed class WakeupTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Action _onWakeup;
    private long _next = long.MaxValue;

    public WakeupTimer(TimeProvider time, Action onWakeup)
    {
        _time = time;
        _onWakeup = onWakeup;
        _timer = time.CreateTimer(static s => ((Action)s!)(), onWakeup, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Called at the start of a wake-up: the timer is no longer armed.</summary>
    public void Fired() => _next = long.MaxValue;

    /// <summary>Arms the timer for timestamp <paramref name="wake"/> (<see cref="long.MaxValue"/> = never).</summary>
    public void Arm(long now, long wake)
    {
        if (wake == _next)
        {
            return;
        }

        _next = wake;
        if (wake == long.MaxValue)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        // Measured from the clock now, not from when the caller read it: the clock may have moved on meanwhile
        // (another thread, or a test advancing a fake clock), and a moment already passed must not be lost.
        var current = Math.Max(now, _time.GetTimestamp());
        if (wake <= current)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((Action)s!)(), _onWakeup);
            return;
        }

        // Round up so the timer never fires before the moment it is for.
        var ticks = (long)Math.Ceiling((wake - current) * (TimeSpan.TicksPerSecond / (double)_time.TimestampFrequency));
        _timer.Change(TimeSpan.FromTicks(Math.Max(ticks, 1)), Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
