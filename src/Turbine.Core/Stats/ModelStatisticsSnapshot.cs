namespace Turbine.Core.Stats;

/// <summary>Statistics of one model version (the protocol's ModelStatistics message).</summary>
public sealed record ModelStatisticsSnapshot(
    string Name,
    long Version,
    long LastInferenceMs,
    long InferenceCount,
    long ExecutionCount,
    InferStatistics InferenceStats,
    IReadOnlyList<BatchStatistics> BatchStats);

/// <summary>The protocol's InferStatistics message.</summary>
public sealed record InferStatistics(
    StatisticDuration Success,
    StatisticDuration Fail,
    StatisticDuration Queue,
    StatisticDuration ComputeInput,
    StatisticDuration ComputeInfer,
    StatisticDuration ComputeOutput,
    StatisticDuration CacheHit,
    StatisticDuration CacheMiss);

/// <summary>The protocol's InferBatchStatistics message.</summary>
public sealed record BatchStatistics(
    long BatchSize,
    StatisticDuration ComputeInput,
    StatisticDuration ComputeInfer,
    StatisticDuration ComputeOutput);
