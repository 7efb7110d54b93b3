namespace Turbine.Cli.Bench;

/// <summary>
/// One load level's result over its reported windows (the last three, or fewer when interrupted). Client send and
/// receive are averages in µs, null when the transport does not separate them (gRPC).
/// </summary>
internal sealed record LevelResult(
    LoadMode Mode,
    double Level,
    int BatchSize,
    double Throughput,
    LatencySummary Latency,
    double? ClientSendUs,
    double? ClientReceiveUs,
    long Requests,
    long Errors,
    int Windows,
    bool Stable,
    string? Note,
    ServerBreakdown? Server)
{
    /// <summary>Combines the reported windows; <paramref name="serverBefore"/> is the snapshot taken when the first of them began.</summary>
    public static LevelResult From(LoadMode mode, double level, int batchSize, IReadOnlyList<WindowResult> reported,
        int windowsMeasured, bool stable, string? note, ServerStatsSnapshot? serverBefore)
    {
        var duration = reported.Aggregate(TimeSpan.Zero, (a, w) => a + w.Duration);
        var completed = reported.Sum(w => (long)w.Completed);
        var timed = reported.Sum(w => w.TimedRequests);
        var serverAfter = reported.Count > 0 ? reported[^1].ServerStatsAtEnd : null;
        return new LevelResult(
            mode,
            level,
            batchSize,
            duration > TimeSpan.Zero ? completed * (double)batchSize / duration.TotalSeconds : 0,
            LatencySummary.Of(reported.SelectMany(w => w.LatenciesUs).ToList()),
            timed > 0 ? reported.Sum(w => w.SendUsTotal) / timed : null,
            timed > 0 ? reported.Sum(w => w.ReceiveUsTotal) / timed : null,
            completed,
            reported.Sum(w => (long)w.Errors),
            windowsMeasured,
            stable,
            note,
            serverBefore is not null && serverAfter is not null ? serverAfter.Since(serverBefore) : null);
    }
}
