using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

/// <summary>The sweep loop against a fake request (no server); only counts are asserted, never timings.</summary>
public sealed class BenchRunnerTests
{
    private static BenchSettings Settings(LoadMode mode, double[] levels, int maxTrials = 3) =>
        new(mode, levels, BatchSize: 2, TimeSpan.FromMilliseconds(30), maxTrials, StabilityPercentage: 1000);

    [Fact]
    public async Task RunAsync_ClosedLoop_OneResultPerLevelWithErrorsCounted()
    {
        var calls = 0;
        // No timer in the request: a 1 ms delay took 40-150 ms on a loaded machine, leaving a level with two requests
        // and no error. A yield keeps each request short, so every level sends many and every fifth one fails.
        async Task Send(RequestTiming timing, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref calls);
            await Task.Yield();
            if (n % 5 == 0)
            {
                throw new InvalidOperationException("boom");
            }
        }

        var runner = new BenchRunner(Settings(LoadMode.Concurrency, [1, 3]), Send, _ => Task.FromResult<ServerStatsSnapshot?>(null), TimeProvider.System);
        var (levels, interrupted, firstError) = await runner.RunAsync(CancellationToken.None);
        Assert.False(interrupted);
        Assert.Equal([1.0, 3.0], levels.Select(l => l.Level));
        Assert.All(levels, l =>
        {
            Assert.True(l.Requests > 0);
            Assert.True(l.Errors > 0);
            Assert.True(l.Throughput > 0);
            Assert.True(l.Latency.P50 > 0);
            Assert.Null(l.ClientSendUs);
            Assert.Null(l.Server);
            Assert.InRange(l.Windows, 3, 3);
        });
        Assert.Equal("boom", firstError);
    }

    [Fact]
    public async Task RunAsync_Advance_RisesPerWindowAndEndsAtOne()
    {
        var reports = new List<(double Fraction, string Detail)>();
        var runner = new BenchRunner(Settings(LoadMode.Concurrency, [1, 2], maxTrials: 3) with { StabilityPercentage = 1e-9 },
            async (_, _) => await Task.Yield(), _ => Task.FromResult<ServerStatsSnapshot?>(null), TimeProvider.System,
            advance: (fraction, detail) => reports.Add((fraction, detail)));
        await runner.RunAsync(CancellationToken.None);
        Assert.Equal(6, reports.Count); // 2 levels x 3 windows (never stable)
        Assert.Equal(reports.Select(r => r.Fraction).Order(), reports.Select(r => r.Fraction));
        Assert.Equal(1.0, reports[^1].Fraction, 9);
        Assert.Equal(0.5, reports[2].Fraction, 9);
        Assert.Equal("concurrency 2 (level 2/2), window 3/3", reports[^1].Detail);
    }

    [Fact]
    public async Task RunAsync_NeverStable_StopsAtMaxTrialsWithNote()
    {
        var runner = new BenchRunner(Settings(LoadMode.Concurrency, [1], maxTrials: 4) with { StabilityPercentage = 1e-9 },
            (_, ct) => Task.Delay(1, ct), _ => Task.FromResult<ServerStatsSnapshot?>(null), TimeProvider.System);
        var (levels, _, _) = await runner.RunAsync(CancellationToken.None);
        var level = Assert.Single(levels);
        Assert.Equal(4, level.Windows);
        Assert.False(level.Stable);
        Assert.Equal("unstable", level.Note);
    }

    [Fact]
    public async Task RunAsync_OpenLoop_IssuesRequestsOnSchedule()
    {
        var runner = new BenchRunner(Settings(LoadMode.RequestRate, [500]), (_, _) => Task.CompletedTask,
            _ => Task.FromResult<ServerStatsSnapshot?>(null), TimeProvider.System);
        var (levels, _, _) = await runner.RunAsync(CancellationToken.None);
        var level = Assert.Single(levels);
        Assert.Equal(LoadMode.RequestRate, level.Mode);
        Assert.True(level.Requests > 0);
        Assert.Equal(0, level.Errors);
    }

    [Fact]
    public async Task RunAsync_ServerStats_DiffedOverReportedWindows()
    {
        long served = 0;
        Task Send(RequestTiming timing, CancellationToken ct)
        {
            Interlocked.Increment(ref served);
            return Task.Delay(1, ct);
        }

        Task<ServerStatsSnapshot?> Stats(CancellationToken ct)
        {
            var n = Interlocked.Read(ref served);
            return Task.FromResult<ServerStatsSnapshot?>(new ServerStatsSnapshot(n, n * 1000, 0, n * 5000, 0, n * 2, n, new Dictionary<long, long> { [2] = n }));
        }

        var runner = new BenchRunner(Settings(LoadMode.Concurrency, [1]), Send, Stats, TimeProvider.System);
        var (levels, _, _) = await runner.RunAsync(CancellationToken.None);
        var server = Assert.Single(levels).Server!;
        Assert.True(server.Requests > 0);
        Assert.Equal(5.0, server.ComputeInferUs, 6);
        Assert.Equal(1.0, server.QueueUs, 6);
        Assert.Equal(2.0, server.AverageBatchSize, 6);
        Assert.Equal(server.Requests, server.BatchSizes[2]);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ReturnsMeasuredLevelsAndInterrupted()
    {
        using var cts = new CancellationTokenSource();
        var windows = 0;
        Task<ServerStatsSnapshot?> Stats(CancellationToken ct)
        {
            // Cancel during the second level, after the first has finished its three windows.
            if (Interlocked.Increment(ref windows) == 6)
            {
                cts.Cancel();
            }

            return Task.FromResult<ServerStatsSnapshot?>(null);
        }

        // Yielding requests, not 1 ms timers: on a loaded machine a timer-bound level can leave a window empty and be
        // reported unstable, which is not what this test is about.
        var runner = new BenchRunner(Settings(LoadMode.Concurrency, [1, 2, 3]), async (_, _) => await Task.Yield(), Stats, TimeProvider.System);
        var (levels, interrupted, _) = await runner.RunAsync(cts.Token);
        Assert.True(interrupted);
        Assert.Equal(2, levels.Count);
        Assert.Null(levels[0].Note);
        Assert.Equal("interrupted", levels[1].Note);
    }
}
