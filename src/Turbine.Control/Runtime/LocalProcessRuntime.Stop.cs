namespace Turbine.Control.Runtime;

public sealed partial class LocalProcessRuntime
{
    /// <summary>How long, after SIGKILL, the runtime waits to see the process gone before it gives up watching.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopPoll = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    /// <remarks>
    /// SIGTERM makes <c>turbine serve</c> turn not-ready, drain requests in flight (bounded by its
    /// <c>--exit-timeout-secs</c>) and exit; past <paramref name="grace"/> (or when <paramref name="cancellationToken"/>
    /// fires) it is killed with SIGKILL. Returns without throwing once the process is gone or, at worst, 10 s after the
    /// SIGKILL. An adopted pid is signalled only while it still carries the replica's marker (never a reused pid).
    /// </remarks>
    public async Task StopAsync(ReplicaProcess replica, TimeSpan grace, CancellationToken cancellationToken)
    {
        var local = Local(replica);
        try
        {
            if (!local.IsRunning)
            {
                return;
            }

            SignalIfOurs(local, LocalProcessNative.SigTerm);
            var exited = await WaitGoneAsync(local, grace < TimeSpan.Zero ? TimeSpan.Zero : grace, cancellationToken).ConfigureAwait(false);
            if (!exited)
            {
                SignalIfOurs(local, LocalProcessNative.SigKill);
                await WaitGoneAsync(local, KillWait, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!local.IsRunning)
            {
                _replicas.TryRemove(new KeyValuePair<string, LocalReplicaProcess>(local.Marker, local));
                local.Dispose();
            }
        }
    }

    private static void SignalIfOurs(LocalReplicaProcess local, int signal)
    {
        // A child of ours is not reaped before the Process object sees its exit, so its pid cannot be reused while it
        // runs; an adopted pid is checked against the marker right before the signal.
        if (local.IsRunning)
        {
            LocalProcessNative.Signal(local.Pid, signal);
        }
    }

    /// <summary>True once the process is gone; false when <paramref name="timeout"/> passed or <paramref name="cancellationToken"/> fired first.</summary>
    private async Task<bool> WaitGoneAsync(LocalReplicaProcess local, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (local.IsRunning)
        {
            if (_time.GetElapsedTime(started) >= timeout || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            try
            {
                await Task.Delay(StopPoll, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return !local.IsRunning;
            }
        }

        return true;
    }
}
