namespace Turbine.Control.Autoscaling;

/// <summary>
/// An immutable, time-bucketed window of one metric, as Knative's <c>aggregation.TimedFloat64Buckets</c> keeps it:
/// samples fall into buckets <see cref="Granularity"/> wide (aligned to the Unix epoch); a bucket's value is the mean
/// of its samples; <see cref="Average"/> is the mean of the per-bucket values over the last buckets of a window, where
/// buckets without samples count as 0. While less than a window has passed since the first sample, the divisor is the
/// number of buckets observed so far, not the whole window, so a fresh window is not diluted by time it never saw.
/// Memory is bounded: a ring of <see cref="Capacity"/> buckets, whatever the number of samples.
/// </summary>
internal sealed class MetricWindow
{
    private readonly double[] _sums;
    private readonly int[] _counts;
    private readonly long _first; // bucket number of the first sample kept; meaningful when _count > 0
    private readonly long _last;  // bucket number of the newest sample
    private readonly bool _empty;

    /// <summary>An empty window of <paramref name="capacity"/> buckets of <paramref name="granularity"/> each.</summary>
    public MetricWindow(TimeSpan granularity, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(granularity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Granularity = granularity;
        _sums = new double[capacity];
        _counts = new int[capacity];
        _empty = true;
    }

    private MetricWindow(TimeSpan granularity, double[] sums, int[] counts, long first, long last)
    {
        Granularity = granularity;
        _sums = sums;
        _counts = counts;
        _first = first;
        _last = last;
        _empty = false;
    }

    /// <summary>A window long enough for <paramref name="settings"/>' stable window, one bucket per tick.</summary>
    public static MetricWindow For(AutoscalerSettings settings) =>
        new(settings.TickInterval, BucketsIn(settings.StableWindow, settings.TickInterval));

    /// <summary>The width of one bucket.</summary>
    public TimeSpan Granularity { get; }

    /// <summary>Buckets held (fixed at construction).</summary>
    public int Capacity => _sums.Length;

    /// <summary>Whether no sample was ever recorded.</summary>
    public bool IsEmpty => _empty;

    /// <summary>
    /// This window with <paramref name="value"/> observed at <paramref name="at"/>. A sample older than the ring holds
    /// (more than <see cref="Capacity"/> buckets before the newest) is dropped.
    /// </summary>
    public MetricWindow Record(DateTimeOffset at, double value)
    {
        var bucket = BucketOf(at);
        var sums = (double[])_sums.Clone();
        var counts = (int[])_counts.Clone();
        long first = _first, last = _last;
        if (_empty)
        {
            first = last = bucket;
        }
        else if (bucket > _last)
        {
            // Clear the buckets skipped since the newest sample (at most the whole ring): they saw nothing.
            for (var b = Math.Max(_last + 1, bucket - Capacity + 1); b <= bucket; b++)
            {
                sums[Index(b)] = 0;
                counts[Index(b)] = 0;
            }

            last = bucket;
        }
        else if (bucket <= _last - Capacity)
        {
            return this;
        }

        first = Math.Max(Math.Min(first, bucket), last - Capacity + 1);
        sums[Index(bucket)] += value;
        counts[Index(bucket)]++;
        return new MetricWindow(Granularity, sums, counts, first, last);
    }

    /// <summary>
    /// The mean of the per-bucket values over the last <paramref name="window"/> (rounded up to whole buckets, at
    /// most <see cref="Capacity"/>) ending at <paramref name="now"/>; 0 when no sample falls inside it.
    /// </summary>
    public double Average(DateTimeOffset now, TimeSpan window)
    {
        if (_empty)
        {
            return 0;
        }

        var n = Math.Min(BucketsIn(window, Granularity), Capacity);
        var end = Math.Max(BucketOf(now), _last); // a clock behind the newest sample reads the window at the sample
        if (end - _last >= n)
        {
            return 0;
        }

        var start = Math.Max(end - n + 1, _first);
        var total = 0.0;
        for (var b = start; b <= _last; b++)
        {
            var i = Index(b);
            if (_counts[i] > 0)
            {
                total += _sums[i] / _counts[i];
            }
        }

        return total / (end - start + 1);
    }

    /// <summary>Whole buckets of <paramref name="granularity"/> needed to cover <paramref name="window"/> (at least 1).</summary>
    public static int BucketsIn(TimeSpan window, TimeSpan granularity) =>
        (int)Math.Clamp((window.Ticks + granularity.Ticks - 1) / granularity.Ticks, 1, int.MaxValue);

    private long BucketOf(DateTimeOffset at) => Math.DivRem(at.UtcTicks, Granularity.Ticks).Quotient;

    private int Index(long bucket) => (int)(bucket % Capacity);
}
