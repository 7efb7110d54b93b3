namespace Turbine.Gateway.Logging;

/// <summary>Decides which requests a sample rate below 1 logs; the random source is injectable (seeded in tests).</summary>
internal sealed class AccessLogSampler
{
    private readonly Random _random;
    private readonly Lock _lock = new();

    public AccessLogSampler()
        : this(Random.Shared)
    {
    }

    public AccessLogSampler(Random random) => _random = random;

    public bool Sample(double rate)
    {
        if (rate >= 1)
        {
            return true;
        }

        if (rate <= 0)
        {
            return false;
        }

        if (ReferenceEquals(_random, Random.Shared))
        {
            return Random.Shared.NextDouble() < rate;
        }

        lock (_lock)
        {
            return _random.NextDouble() < rate;
        }
    }
}
