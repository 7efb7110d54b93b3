namespace Turbine.Core.Graphs;

/// <summary>
/// The queue and compute times of the composing-model requests one graph request made, summed (steps run
/// concurrently, so the sums are interlocked). They become the graph's own queue and compute statistics, as
/// Triton reports an ensemble's.
/// </summary>
internal sealed class StepTimes
{
    private long _queue;
    private long _input;
    private long _infer;
    private long _output;

    public long QueueNs => Volatile.Read(ref _queue);

    public long InputNs => Volatile.Read(ref _input);

    public long InferNs => Volatile.Read(ref _infer);

    public long OutputNs => Volatile.Read(ref _output);

    public void Add(long queueNs, long inputNs, long inferNs, long outputNs)
    {
        Interlocked.Add(ref _queue, queueNs);
        Interlocked.Add(ref _input, inputNs);
        Interlocked.Add(ref _infer, inferNs);
        Interlocked.Add(ref _output, outputNs);
    }
}
