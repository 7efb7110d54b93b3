using System.Diagnostics;
using System.Globalization;

namespace Turbine.Cli.Bench;

/// <summary>
/// Runs the sweep: for each level, starts the load, discards one warm-up window, then measures windows until the
/// last three are stable or <see cref="BenchSettings.MaxTrials"/> windows are done, and reports the last three.
/// The request and the statistics read are injected, and so is time, so the loop runs against fakes in tests.
/// </summary>
internal sealed partial class BenchRunner
{
    private readonly BenchSettings _settings;
    private readonly Func<RequestTiming, CancellationToken, Task> _send;
    private readonly Func<CancellationToken, Task<ServerStatsSnapshot?>> _readStats;
    private readonly TimeProvider _time;
    private readonly Action<string> _progress;
    private readonly Action<double, string> _advance;

    /// <param name="settings">The sweep: levels, window lengths and stop rules.</param>
    /// <param name="send">Sends one request and fills in its timing.</param>
    /// <param name="readStats">Reads the server's statistics (null when it has none to give).</param>
    /// <param name="time">The clock the windows are measured with.</param>
    /// <param name="progress">A line at the start of each level.</param>
    /// <param name="advance">After each measurement window: the share of the sweep done (0..1) and where it is.</param>
    public BenchRunner(
        BenchSettings settings,
        Func<RequestTiming, CancellationToken, Task> send,
        Func<CancellationToken, Task<ServerStatsSnapshot?>> readStats,
        TimeProvider time,
        Action<string>? progress = null,
        Action<double, string>? advance = null)
    {
        _advance = advance ?? ((_, _) => { });
        _settings = settings;
        _send = send;
        _readStats = readStats;
        _time = time;
        _progress = progress ?? (_ => { });
    }

    /// <summary>Measures every level; on <paramref name="ct"/> (Ctrl+C) stops and returns what it has measured.</summary>
    public async Task<(IReadOnlyList<LevelResult> Levels, bool Interrupted, string? FirstError)> RunAsync(CancellationToken ct)
    {
        var results = new List<LevelResult>();
        var recorder = new WindowRecorder();
        for (var index = 0; index < _settings.Levels.Count; index++)
        {
            var (result, interrupted) = await RunLevelAsync(index, recorder, ct).ConfigureAwait(false);
            if (result is not null)
            {
                results.Add(result);
            }

            if (interrupted)
            {
                return (results, true, recorder.FirstError);
            }
        }

        return (results, false, recorder.FirstError);
    }

    private async Task<(LevelResult? Result, bool Interrupted)> RunLevelAsync(int index, WindowRecorder recorder, CancellationToken ct)
    {
        var level = _settings.Levels[index];
        var name = _settings.Mode == LoadMode.Concurrency ? "concurrency" : "request rate";
        _progress($"{name} {level.ToString(CultureInfo.InvariantCulture)}: measuring");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var load = _settings.Mode == LoadMode.Concurrency
            ? RunClosedLoopAsync((int)level, recorder, stop.Token, ct)
            : RunOpenLoopAsync(level, recorder, stop.Token, ct);
        var windows = new List<WindowResult>();
        var snapshots = new List<ServerStatsSnapshot?>();
        var stable = false;
        var interrupted = false;
        try
        {
            // Warm-up: one window whose requests are thrown away.
            var windowStart = await WaitWindowAsync(_time.GetTimestamp(), ct).ConfigureAwait(false);
            recorder.Take(TimeSpan.Zero, _settings.BatchSize);
            snapshots.Add(await ReadStatsAsync(ct).ConfigureAwait(false));
            while (windows.Count < _settings.MaxTrials && !stable)
            {
                var end = await WaitWindowAsync(windowStart, ct).ConfigureAwait(false);
                var window = recorder.Take(_time.GetElapsedTime(windowStart, end), _settings.BatchSize);
                windowStart = end;
                var stats = await ReadStatsAsync(ct).ConfigureAwait(false);
                windows.Add(window with { ServerStatsAtEnd = stats });
                snapshots.Add(stats);
                stable = StabilityCheck.IsStable(windows, _settings.StabilityPercentage);
                var levelDone = stable ? 1 : (double)windows.Count / _settings.MaxTrials;
                _advance((index + levelDone) / _settings.Levels.Count,
                    $"{name} {level.ToString(CultureInfo.InvariantCulture)} (level {index + 1}/{_settings.Levels.Count}), window {windows.Count}/{_settings.MaxTrials}{(stable ? ", stable" : "")}");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            interrupted = true;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await load.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (windows.Count == 0)
        {
            return (null, interrupted);
        }

        var reported = windows.Skip(Math.Max(0, windows.Count - StabilityCheck.Windows)).ToList();
        var before = snapshots[windows.Count - reported.Count];
        var note = interrupted ? "interrupted" : stable ? null : "unstable";
        return (LevelResult.From(_settings.Mode, level, _settings.BatchSize, reported, windows.Count, stable, note, before), interrupted);
    }

    /// <summary>Waits until one measurement interval after <paramref name="start"/>; returns that end timestamp.</summary>
    private async Task<long> WaitWindowAsync(long start, CancellationToken ct)
    {
        var left = _settings.MeasurementInterval - _time.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, _time, ct).ConfigureAwait(false);
        }

        return _time.GetTimestamp();
    }

    private async Task<ServerStatsSnapshot?> ReadStatsAsync(CancellationToken ct)
    {
        try
        {
            return await _readStats(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The server breakdown is optional; the client-side figures stand without it.
            return null;
        }
    }

    /// <summary>Sends one request and records it; <paramref name="abort"/> is Ctrl+C (in-flight requests are not cut at a level's end).</summary>
    private async Task SendOneAsync(RequestTiming timing, WindowRecorder recorder, CancellationToken abort)
    {
        timing.Reset();
        var start = Stopwatch.GetTimestamp();
        try
        {
            await _send(timing, abort).ConfigureAwait(false);
        }
        catch (Exception e) when (!abort.IsCancellationRequested)
        {
            recorder.Error(e.Message);
            return;
        }

        var end = Stopwatch.GetTimestamp();
        double? send = null, receive = null;
        if (timing.SendDone != 0 && timing.ResponseStarted != 0)
        {
            send = Stopwatch.GetElapsedTime(start, timing.SendDone).TotalMicroseconds;
            receive = Stopwatch.GetElapsedTime(timing.ResponseStarted, end).TotalMicroseconds;
        }

        recorder.Success(Stopwatch.GetElapsedTime(start, end).TotalMicroseconds, send, receive);
    }
}
