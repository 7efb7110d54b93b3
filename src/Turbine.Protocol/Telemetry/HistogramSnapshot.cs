namespace Turbine.Protocol.Telemetry;

/// <summary>What a <see cref="Histogram"/> had counted when it was read.</summary>
public sealed class HistogramSnapshot
{
    private readonly double[] _bounds;
    private readonly long[] _cumulative;

    internal HistogramSnapshot(double[] bounds, long[] cumulative, double sum)
    {
        _bounds = bounds;
        _cumulative = cumulative;
        Sum = sum;
    }

    /// <summary>The upper bounds of the buckets, without the implicit <c>+Inf</c>.</summary>
    public ReadOnlySpan<double> Bounds => _bounds;

    /// <summary>Observations per bucket, cumulative: entry i counts values ≤ bound i; the last entry is <c>+Inf</c>.</summary>
    public ReadOnlySpan<long> Cumulative => _cumulative;

    /// <summary>The number of observations (the <c>+Inf</c> bucket).</summary>
    public long Count => _cumulative[^1];

    /// <summary>The sum of the observed values.</summary>
    public double Sum { get; }
}
