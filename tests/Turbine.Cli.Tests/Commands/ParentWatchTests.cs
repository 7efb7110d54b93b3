using System.Diagnostics;
using Turbine.Cli.Commands;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>serve --parent-pid</c>'s watch over a real process: it fires once that process ends, and not before.</summary>
public sealed class ParentWatchTests
{
    [Fact]
    public async Task Start_ProcessThatEnds_EndedCalledOnceAfterItEnds()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var ended = 0;
        using var watch = ParentWatch.Start(parent.Id, () => Interlocked.Increment(ref ended));
        try
        {
            Assert.NotNull(ParentWatch.StartTime(parent.Id));
            // It is alive: a few of the watch's looks pass without a call (polled up to three intervals).
            Assert.False(await Poll.UntilAsync(() => Volatile.Read(ref ended) > 0, ParentWatch.Interval * 3));
        }
        finally
        {
            parent.Kill();
            await parent.WaitForExitAsync();
        }

        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref ended) > 0, TimeSpan.FromSeconds(30)));
        Assert.Equal(1, Volatile.Read(ref ended));
    }

    [Fact]
    public async Task Start_ProcessAlreadyGone_EndedCalledAtOnce()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = ParentWatch.Start(gone.Id, () => ended.TrySetResult());
        Assert.Null(ParentWatch.StartTime(gone.Id));
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void StartTime_ThisProcess_IsTheStatFieldAndStable()
    {
        var first = ParentWatch.StartTime(Environment.ProcessId);
        Assert.NotNull(first);
        Assert.True(ulong.TryParse(first, out _), first);
        Assert.Equal(first, ParentWatch.StartTime(Environment.ProcessId));
    }
}
