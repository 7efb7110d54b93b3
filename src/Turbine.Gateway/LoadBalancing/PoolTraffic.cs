namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// Cumulative counters of one pool: requests answered, server errors and a fixed-bucket latency histogram. Recording is
/// allocation-free (Interlocked on arrays allocated once); carried over config reloads that keep the pool, like its replicas.
/// </summary>
internal sealed class PoolTraffic
{
    /// <summary>Upper bounds of the latency buckets, milliseconds (the last bucket, beyond them, is the overflow).</summary>
    public static readonly double[] BucketsMs = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    private readonly long[] _counts = new long[BucketsMs.Length + 1];
    private long _requests;
    private long _errors;

    public long Requests => Volatile.Read(ref _requests);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Counts one answered request that took <paramref name="ms"/>; <paramref name="error"/> when the server failed it.</summary>
    public void Record(double ms, bool error)
    {
        var i = 0;
        while (i < BucketsMs.Length && ms > BucketsMs[i])
        {
            i++;
        }

        // Bucket, requests, errors in this order; a snapshot reads them in reverse, so errors <= requests <= sum of buckets.
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Increment(ref _requests);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>A copy of the bucket counts (one more than <see cref="BucketsMs"/>).</summary>
    public long[] Counts()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Volatile.Read(ref _counts[i]);
        }

        return copy;
    }
}
