namespace Turbine.Protocol.Telemetry;

/// <summary>
/// A lock-free cumulative histogram with fixed bucket bounds, exposed in the Prometheus text format by
/// <see cref="PrometheusText.Histogram"/>. The bounds are per use (request latency in seconds, batch sizes, …); a value
/// counts in the first bucket whose upper bound it does not exceed, or in the implicit <c>+Inf</c> bucket. Observing is
/// two interlocked operations and never allocates.
/// </summary>
public sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private double _sum;

    /// <summary>A histogram with the given upper bounds, strictly increasing (the <c>+Inf</c> bucket is implicit).</summary>
    /// <exception cref="ArgumentException"><paramref name="bounds"/> is empty, not increasing, or holds NaN.</exception>
    public Histogram(params double[] bounds)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        if (bounds.Length == 0)
        {
            throw new ArgumentException("a histogram needs at least one bucket bound", nameof(bounds));
        }

        for (var i = 0; i < bounds.Length; i++)
        {
            if (double.IsNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                throw new ArgumentException($"bucket bounds must be strictly increasing numbers; bound {i} is {bounds[i]}", nameof(bounds));
            }
        }

        _bounds = (double[])bounds.Clone();
        _counts = new long[bounds.Length + 1];
    }

    /// <summary>The upper bounds of the buckets, without the implicit <c>+Inf</c>.</summary>
    public ReadOnlySpan<double> Bounds => _bounds;

    /// <summary>Counts <paramref name="value"/> in its bucket and adds it to the sum.</summary>
    public void Observe(double value)
    {
        var i = 0;
        var bounds = _bounds;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        var sum = Volatile.Read(ref _sum);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _sum, sum + value, sum);
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(sum))
            {
                return;
            }

            sum = seen;
        }
    }

    /// <summary>
    /// The counts so far: cumulative per bound (the last entry is <c>+Inf</c>, equal to the count) and the sum.
    /// Concurrent observations may be half-seen (counted but not yet summed), as with any lock-free scrape.
    /// </summary>
    public HistogramSnapshot Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Volatile.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return new HistogramSnapshot(_bounds, cumulative, Volatile.Read(ref _sum));
    }
}
