namespace Turbine.Core.Stats;

/// <summary>A lock-free count + total nanoseconds pair.</summary>
internal sealed class DurationCounter
{
    private long _count;
    private long _ns;

    public void Add(long ns)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _ns, ns);
    }

    public void Add(long count, long ns)
    {
        Interlocked.Add(ref _count, count);
        Interlocked.Add(ref _ns, ns);
    }

    public StatisticDuration Read() => new(Volatile.Read(ref _count), Volatile.Read(ref _ns));
}
