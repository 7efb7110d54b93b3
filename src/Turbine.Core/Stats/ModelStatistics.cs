using System.Collections.Concurrent;

namespace Turbine.Core.Stats;

/// <summary>
/// Per model-version statistics (Triton's statistics extension). Updated with interlocked operations on the
/// request path; read as an immutable <see cref="ModelStatisticsSnapshot"/>.
/// </summary>
internal sealed class ModelStatistics
{
    private readonly DurationCounter _success = new();
    private readonly DurationCounter _fail = new();
    private readonly DurationCounter _queue = new();
    private readonly DurationCounter _computeInput = new();
    private readonly DurationCounter _computeInfer = new();
    private readonly DurationCounter _computeOutput = new();
    private readonly DurationCounter _cacheHit = new();
    private readonly DurationCounter _cacheMiss = new();
    private readonly ConcurrentDictionary<long, BatchCounters> _batches = new();
    private readonly TimeProvider _time;
    private long _inferenceCount;
    private long _executionCount;
    private long _lastInferenceMs;

    public ModelStatistics(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Records one successful request: its end-to-end and queue time.</summary>
    public void RecordSuccess(long batchSize, long totalNs, long queueNs, long inputNs, long inferNs, long outputNs)
    {
        _success.Add(totalNs);
        _queue.Add(queueNs);
        _computeInput.Add(inputNs);
        _computeInfer.Add(inferNs);
        _computeOutput.Add(outputNs);
        Interlocked.Add(ref _inferenceCount, batchSize);
        Volatile.Write(ref _lastInferenceMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Records one model execution of <paramref name="batchSize"/> (one per formed batch).</summary>
    public void RecordExecution(long batchSize, long inputNs, long inferNs, long outputNs)
    {
        Interlocked.Increment(ref _executionCount);
        var batch = _batches.GetOrAdd(batchSize, static _ => new BatchCounters());
        batch.Input.Add(inputNs);
        batch.Infer.Add(inferNs);
        batch.Output.Add(outputNs);
    }

    /// <summary>Records one failed request and how long it took to fail.</summary>
    public void RecordFailure(long totalNs)
    {
        _fail.Add(totalNs);
        Volatile.Write(ref _lastInferenceMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>A request answered from the response cache: a success and a cache hit, no queue and no execution.</summary>
    public void RecordCacheHit(long batchSize, long totalNs, long lookupNs)
    {
        _success.Add(totalNs);
        _cacheHit.Add(lookupNs);
        Interlocked.Add(ref _inferenceCount, batchSize);
        Volatile.Write(ref _lastInferenceMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Time spent looking up and inserting for a request the cache did not have.</summary>
    public void RecordCacheMiss(long ns) => _cacheMiss.Add(ns);

    public ModelStatisticsSnapshot Snapshot(string name, long version)
    {
        var batches = _batches
            .OrderBy(kv => kv.Key)
            .Select(kv => new BatchStatistics(kv.Key, kv.Value.Input.Read(), kv.Value.Infer.Read(), kv.Value.Output.Read()))
            .ToList();
        return new ModelStatisticsSnapshot(
            name,
            version,
            Volatile.Read(ref _lastInferenceMs),
            Volatile.Read(ref _inferenceCount),
            Volatile.Read(ref _executionCount),
            new InferStatistics(
                _success.Read(), _fail.Read(), _queue.Read(), _computeInput.Read(), _computeInfer.Read(),
                _computeOutput.Read(), _cacheHit.Read(), _cacheMiss.Read()),
            batches);
    }

    private sealed class BatchCounters
    {
        public DurationCounter Input { get; } = new();

        public DurationCounter Infer { get; } = new();

        public DurationCounter Output { get; } = new();
    }
}
