using BenchmarkDotNet.Attributes;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.RateLimiting;

namespace Turbine.Bench.Micro;

/// <summary>
/// The gateway's per-request steps that must not allocate (issue 22: "per-request allocations on the pick path"):
/// picking a replica from a healthy two-replica pool with each policy, hashing a presented API key, and taking a
/// token from the caller's and the model's rate-limit buckets.
/// </summary>
[MemoryDiagnoser]
public class GatewayBenchmarks
{
    private readonly Replica[] _replicas = [new(new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2/")), new(new Uri("http://127.0.0.1:3/"), new Uri("http://127.0.0.1:4/"))];
    private BackendPool _powerOfTwo = null!;
    private BackendPool _roundRobin = null!;
    private BackendPool _peakEwma = null!;
    private readonly byte[] _digest = new byte[32];
    private RateLimitState _limits = null!;
    private JwksSourceCache _jwks = null!;
    private AuthSnapshot _auth = null!;

    [GlobalSetup]
    public void Setup()
    {
        _powerOfTwo = Pool(BalancingPolicies.PowerOfTwoChoices);
        _roundRobin = Pool(BalancingPolicies.RoundRobin);
        _peakEwma = Pool(BalancingPolicies.PeakEwma);
        _limits = new RateLimitState(new RateLimitConfig
        {
            PerKey = new RateLimitRule { Requests = int.MaxValue / 2, PeriodSeconds = 1 },
            PerModel = new RateLimitRule { Requests = int.MaxValue / 2, PeriodSeconds = 1 },
        });
        _jwks = new JwksSourceCache(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        _auth = AuthSnapshot.Build(new AuthConfig { ApiKeys = [new ApiKeyConfig { Id = "bench", Hash = ApiKeyHasher.Hash(Key) }] }, _jwks, TimeProvider.System);
        _ = EdgeAuthenticator.MatchKey(_auth, Key); // verified once, as by a caller's first request
    }

    private const string Key = "bench-key-0123456789abcdef";

    [GlobalCleanup]
    public void Cleanup()
    {
        _limits.Dispose();
        _jwks.Dispose();
    }

    /// <summary>A known caller's key on its next requests: compared with the verified keys, not hashed (round 4).</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public object? ApiKeyMatchVerified() => EdgeAuthenticator.MatchKey(_auth, Key);

    /// <summary>An unknown key: hashed and compared with every stored digest (what every request paid before round 4).</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public object? ApiKeyMatchUnknown() => EdgeAuthenticator.MatchKey(_auth, "bench-key-0123456789abcdeX");

    /// <summary>Default policy, two healthy replicas, nothing tried yet: the common request.</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public object? PickPowerOfTwo() => _powerOfTwo.Pick("simple", grpc: true, null, out _);

    [Benchmark]
    [AllocationBudget(0)]
    public object? PickRoundRobin() => _roundRobin.Pick("simple", grpc: false, null, out _);

    [Benchmark]
    [AllocationBudget(0)]
    public object? PickPeakEwma() => _peakEwma.Pick("simple", grpc: false, null, out _);

    /// <summary>SHA-256 of a presented API key, compared against the stored digests.</summary>
    [Benchmark]
    [AllocationBudget(0)]
    public byte ApiKeyDigest()
    {
        ApiKeyHasher.DigestOfKey("bench-key-0123456789abcdef", _digest);
        return _digest[0];
    }

    /// <summary>
    /// An API-key caller's request: one token from its bucket, one from the model's, asked of the cached token buckets
    /// directly: 0 B (BenchmarkDotNet); was 240 B before the partitions and bucket options were kept, 64 B while the
    /// partitioned limiter was asked on every acquire (its closure and lease per call).
    /// </summary>
    [Benchmark]
    [AllocationBudget(8)]
    public bool RateLimitTokens() => _limits.TryAcquire("bench", "key:bench", "", "simple") is null;

    private BackendPool Pool(string policy) => new(
        "main",
        new PoolConfig { Policy = policy },
        _replicas,
        BalancingPolicies.Create(policy, new Random(1), TimeProvider.System),
        new RetryBudget(20, 10, TimeProvider.System),
        TimeProvider.System);
}
