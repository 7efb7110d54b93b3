using Turbine.Gateway.Configuration;
using Turbine.Gateway.RateLimiting;

namespace Turbine.Gateway.Tests.RateLimiting;

/// <summary>The partitions kept for reuse stay bounded when every request comes from a new address or names a new model.</summary>
public sealed class RateLimitPartitionCacheTests
{
    [Fact]
    public void TryAcquire_MoreAnonymousAddressesAndModelsThanTheCap_CacheBoundedAndBucketsStillApply()
    {
        using var state = new RateLimitState(new RateLimitConfig
        {
            Anonymous = new RateLimitRule { Requests = 1, PeriodSeconds = 3600 },
            PerModel = new RateLimitRule { Requests = 1_000_000, PeriodSeconds = 1 },
        });

        for (var i = 0; i < RateLimitState.MaxCachedPartitions + 500; i++)
        {
            Assert.Null(state.TryAcquire(null, null, $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", $"model-{i}"));
        }

        Assert.InRange(state.CachedPartitions, 1, RateLimitState.MaxCachedPartitions);
        // Past the cap partitions are made per call, and each address keeps its own bucket.
        var last = RateLimitState.MaxCachedPartitions + 499;
        Assert.NotNull(state.TryAcquire(null, null, $"10.{last >> 16 & 255}.{last >> 8 & 255}.{last & 255}", "model-x"));
        Assert.NotNull(state.TryAcquire(null, null, "10.0.0.0", "model-y"));
    }
}
