using System.Collections.Concurrent;

namespace Turbine.Core.Tests.Scheduling;

/// <summary>
/// What the scheduler tests' fake instances share: every batch they are given is recorded in start order, and,
/// unless <see cref="RunFreely"/>, the execution blocks until the test calls <see cref="Release"/>.
/// </summary>
internal abstract class GatedFakeInstance<TBatch>(string name, bool runFreely) : IDisposable
{
    private readonly SemaphoreSlim _release = new(0);

    public string Name { get; } = name;

    /// <summary>Batches in the order they started.</summary>
    public ConcurrentQueue<TBatch> Batches { get; } = new();

    /// <summary>When true, executions return at once instead of waiting for <see cref="Release"/>.</summary>
    public bool RunFreely { get; set; } = runFreely;

    public void Release(int count = 1) => _release.Release(count);

    /// <summary>Waits (with a deadline) until at least <paramref name="count"/> batches have started.</summary>
    public Task WaitForBatchesAsync(int count) =>
        Poll.UntilOrFailAsync(() => Batches.Count >= count, TimeSpan.FromSeconds(20), () => $"instance {Name}: {Batches.Count} batches started, expected {count}", TimeSpan.FromMilliseconds(5));

    public virtual void Dispose() => _release.Dispose();

    /// <summary>Records the batch, then waits for a release unless running freely.</summary>
    protected void Started(TBatch batch)
    {
        Batches.Enqueue(batch);
        if (!RunFreely)
        {
            _release.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
