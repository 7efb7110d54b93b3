namespace Turbine.Cli.Bench;

/// <summary>How an open-loop run spaces its requests.</summary>
internal enum RateDistribution
{
    /// <summary>Exactly 1/R apart (perf_analyzer's default "constant").</summary>
    Constant,

    /// <summary>Exponentially distributed gaps of mean 1/R (a Poisson arrival process).</summary>
    Poisson,
}

/// <summary>The send times of an open-loop run, as offsets from its start: a pure function of rate, distribution and seed.</summary>
internal static class RateSchedule
{
    /// <summary>
    /// Offsets of the requests, in order, without end (the caller stops taking them). Constant: i/R.
    /// Poisson: cumulative sums of -ln(U)/R with U uniform in (0, 1] drawn from <paramref name="random"/>.
    /// </summary>
    public static IEnumerable<TimeSpan> Offsets(double ratePerSecond, RateDistribution distribution, Random random)
    {
        if (!(ratePerSecond > 0) || !double.IsFinite(ratePerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "a request rate is a positive number of requests per second");
        }

        return distribution == RateDistribution.Constant ? ConstantOffsets(ratePerSecond) : PoissonOffsets(ratePerSecond, random);
    }

    private static IEnumerable<TimeSpan> ConstantOffsets(double rate)
    {
        for (long i = 0; ; i++)
        {
            yield return TimeSpan.FromSeconds(i / rate);
        }
    }

    private static IEnumerable<TimeSpan> PoissonOffsets(double rate, Random random)
    {
        var seconds = 0.0;
        while (true)
        {
            yield return TimeSpan.FromSeconds(seconds);
            seconds += -Math.Log(1.0 - random.NextDouble()) / rate;
        }
    }
}
