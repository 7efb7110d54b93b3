namespace Turbine.Cli.Bench;

/// <summary>What one measurement window saw: the requests that completed in it and the server's counters at its end.</summary>
internal sealed record WindowResult(
    TimeSpan Duration,
    int Completed,
    int Errors,
    int BatchSize,
    IReadOnlyList<double> LatenciesUs,
    double SendUsTotal,
    double ReceiveUsTotal,
    int TimedRequests,
    ServerStatsSnapshot? ServerStatsAtEnd)
{
    /// <summary>Inferences per second: successful requests × batch size over the window's duration.</summary>
    public double Throughput => Duration > TimeSpan.Zero ? Completed * (double)BatchSize / Duration.TotalSeconds : 0;

    public LatencySummary Latency { get; } = LatencySummary.Of(LatenciesUs as IReadOnlyCollection<double> ?? [.. LatenciesUs]);
}
