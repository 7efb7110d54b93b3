namespace Turbine.Cli.Bench;

/// <summary>
/// The server's side of the measured windows (a diff of the statistics API): average microseconds per successful
/// request in each stage, and the batches the server executed (size → count).
/// </summary>
internal sealed record ServerBreakdown(
    long Requests,
    double QueueUs,
    double ComputeInputUs,
    double ComputeInferUs,
    double ComputeOutputUs,
    long InferenceCount,
    long ExecutionCount,
    double AverageBatchSize,
    IReadOnlyDictionary<long, long> BatchSizes);
