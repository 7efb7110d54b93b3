namespace Turbine.Cli.Bench;

/// <summary>The two load shapes: closed loop (workers) and open loop (a schedule).</summary>
internal sealed partial class BenchRunner
{
    /// <summary>Closed loop: <paramref name="concurrency"/> workers, each sending its next request when the last returns.</summary>
    private Task RunClosedLoopAsync(int concurrency, WindowRecorder recorder, CancellationToken stop, CancellationToken abort)
    {
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                var timing = new RequestTiming();
                while (!stop.IsCancellationRequested)
                {
                    await SendOneAsync(timing, recorder, abort).ConfigureAwait(false);
                }
            }, CancellationToken.None);
        }

        return Task.WhenAll(workers);
    }

    /// <summary>
    /// Open loop: requests leave on the schedule (<see cref="RateSchedule"/>) whether or not earlier ones have
    /// returned, up to <see cref="BenchSettings.MaxOutstanding"/> in flight; past that the sender waits for a slot
    /// (and catches up on the schedule after).
    /// </summary>
    private async Task RunOpenLoopAsync(double rate, WindowRecorder recorder, CancellationToken stop, CancellationToken abort)
    {
        var max = _settings.MaxOutstanding;
        using var slots = new SemaphoreSlim(max, max);
        var random = new Random(_settings.Seed);
        var start = _time.GetTimestamp();
        try
        {
            foreach (var offset in RateSchedule.Offsets(rate, _settings.Distribution, random))
            {
                var wait = offset - _time.GetElapsedTime(start);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, _time, stop).ConfigureAwait(false);
                }

                await slots.WaitAsync(stop).ConfigureAwait(false);
                _ = SendAndReleaseAsync(slots, recorder, abort);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // Drain: every slot back means every request has returned.
        for (var i = 0; i < max; i++)
        {
            await slots.WaitAsync(abort).ConfigureAwait(false);
        }
    }

    private async Task SendAndReleaseAsync(SemaphoreSlim slots, WindowRecorder recorder, CancellationToken abort)
    {
        try
        {
            await SendOneAsync(new RequestTiming(), recorder, abort).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
