namespace Turbine.Control;

/// <summary>
/// A stop that runs once and that every caller awaits: the first call starts it, every later or concurrent call gets
/// the same task. A plain "already stopping, return" guard lets a second caller (a host's SIGTERM handling racing an
/// explicit dispose) return while the first stop still drains replicas; the process then exits under it.
/// </summary>
internal sealed class StopOnce
{
    private Task? _task;

    /// <summary>Whether a stop was started.</summary>
    public bool Started => Volatile.Read(ref _task) is not null;

    /// <summary>Starts <paramref name="stop"/> on the first call; returns the one stop's task to every caller.</summary>
    /// <param name="stop">The stop; its exception, if any, is the task's.</param>
    public Task RunAsync(Func<Task> stop)
    {
        if (Volatile.Read(ref _task) is { } running)
        {
            return running;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _task, done.Task, null) is { } other)
        {
            return other;
        }

        _ = RunCoreAsync(stop, done);
        return done.Task;
    }

    private static async Task RunCoreAsync(Func<Task> stop, TaskCompletionSource done)
    {
        try
        {
            await stop().ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }
}
