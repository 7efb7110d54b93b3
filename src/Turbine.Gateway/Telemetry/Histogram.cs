namespace Turbine.Gateway.Telemetry;

/// <summary>A lock-free cumulative latency histogram in milliseconds (Prometheus buckets).</summary>
internal sealed class Histogram
{
    public static readonly double[] BoundsMs = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly long[] _counts = new long[BoundsMs.Length + 1];
    private long _sumMicros;

    public void Observe(double ms)
    {
        var i = 0;
        while (i < BoundsMs.Length && ms > BoundsMs[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, (long)(ms * 1000));
    }

    /// <summary>Cumulative counts per bound, the last one for +Inf.</summary>
    public long[] Cumulative()
    {
        var result = new long[_counts.Length];
        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            total += Volatile.Read(ref _counts[i]);
            result[i] = total;
        }

        return result;
    }

    public double SumSeconds => Volatile.Read(ref _sumMicros) / 1e6;
}
