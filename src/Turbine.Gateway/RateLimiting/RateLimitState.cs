using System.Globalization;
using System.Threading.RateLimiting;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.RateLimiting;

/// <summary>
/// The token buckets of one <see cref="RateLimitConfig"/>: a partitioned limiter per caller (key id, JWT subject,
/// or anonymous client address) and one per model. Built anew when the section changes (buckets start full).
/// </summary>
internal sealed class RateLimitState : IDisposable
{
    private readonly RateLimitConfig _config;
    private readonly PartitionedRateLimiter<(string Id, RateLimitRule? Rule)> _callers;
    private readonly PartitionedRateLimiter<string> _models;

    // The limiter asks its partitioner on every acquire: the bucket options of each rule are made once here, so an
    // acquire allocates no closure (issue 22's per-request allocations).
    private readonly Dictionary<RateLimitRule, Func<string, TokenBucketRateLimiterOptions>> _options = new(ReferenceEqualityComparer.Instance);
    internal const int MaxCachedPartitions = 4096;

    // The buckets of the first MaxCachedPartitions ids (callers and models), asked directly: no partitioned limiter's
    // lookup, closure and lease wrapper per acquire. Ids past the cap use the partitioned limiters (their buckets made
    // per call there and kept by them while in use). An id is in the cache from its first request or never, so each id
    // always has one bucket.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, RateLimitRule Rule), RateLimiter> _buckets = new();
    private int _bucketCount;

    public RateLimitState(RateLimitConfig config)
    {
        _config = config;
        foreach (var rule in new[] { config.PerKey, config.Anonymous, config.PerModel }.Concat(config.Keys.Values).Concat(config.Models.Values))
        {
            if (rule is not null)
            {
                _options.TryAdd(rule, OptionsOf(rule));
            }
        }

        _callers = PartitionedRateLimiter.Create<(string Id, RateLimitRule? Rule), string>(caller => Partition(caller.Id, caller.Rule));
        _models = PartitionedRateLimiter.Create<string, string>(model => Partition(model, ModelRule(model)));
    }

    public RateLimitConfig Config => _config;

    /// <summary>Partitions kept for reuse (bounded by <see cref="MaxCachedPartitions"/> whatever the callers send).</summary>
    internal int CachedPartitions => _buckets.Count;

    /// <summary>Takes a token for the caller, then for the model; null when both allow the request.</summary>
    /// <param name="callerKey">Key id or JWT subject (picks a <c>keys</c> override); null for anonymous callers.</param>
    /// <param name="callerIdentity">
    /// The caller's bucket: <c>key:ID</c> for an API key, <c>jwt:ISS|SUB</c> for a token, so a token whose subject
    /// equals a key id never shares that key's bucket; null for anonymous callers.
    /// </param>
    /// <param name="clientAddress">Remote address, the bucket of an anonymous caller.</param>
    /// <param name="model">The model asked for (picks its bucket); null when the request names none.</param>
    /// <exception cref="ObjectDisposedException">The state was replaced by a reload meanwhile.</exception>
    public RateLimitDecision? TryAcquire(string? callerKey, string? callerIdentity, string clientAddress, string? model)
    {
        var anonymous = callerKey is null || callerIdentity is null;
        var callerId = anonymous ? "anonymous@" + clientAddress : callerIdentity!;
        var rule = anonymous ? _config.Anonymous ?? _config.PerKey : KeyRule(callerKey!);
        if (rule is not null)
        {
            using var lease = Bucket(callerId, rule) is { } bucket ? bucket.AttemptAcquire() : _callers.AttemptAcquire((callerId, rule));
            if (!lease.IsAcquired)
            {
                var who = anonymous ? $"anonymous client '{clientAddress}'" : $"key '{callerKey}'";
                return Refuse(lease, who, rule);
            }
        }

        if (model is not null && ModelRule(model) is { } modelRule)
        {
            using var lease = Bucket(model, modelRule) is { } bucket ? bucket.AttemptAcquire() : _models.AttemptAcquire(model);
            if (!lease.IsAcquired)
            {
                return Refuse(lease, $"model '{model}'", modelRule) with { Scope = "model" };
            }
        }

        return null;
    }

    public void Dispose()
    {
        _callers.Dispose();
        _models.Dispose();
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }

    /// <summary>The id's own bucket when it is (or now gets) one of the cached ones; null past the cap.</summary>
    private RateLimiter? Bucket(string id, RateLimitRule rule)
    {
        if (_buckets.TryGetValue((id, rule), out var bucket))
        {
            return bucket;
        }

        if (Interlocked.Increment(ref _bucketCount) > MaxCachedPartitions)
        {
            Interlocked.Decrement(ref _bucketCount);
            return null;
        }

        var made = new TokenBucketRateLimiter(OptionsOf(rule)(id));
        var kept = _buckets.GetOrAdd((id, rule), made);
        if (!ReferenceEquals(kept, made))
        {
            // Another request made it first: keep that one (one bucket per id).
            Interlocked.Decrement(ref _bucketCount);
            made.Dispose();
        }

        return kept;
    }

    private RateLimitRule? KeyRule(string callerKey) =>
        _config.Keys.TryGetValue(callerKey, out var rule) && rule is not null ? rule : _config.PerKey;

    private RateLimitRule? ModelRule(string model) =>
        _config.Models.TryGetValue(model, out var rule) && rule is not null ? rule : _config.PerModel;

    /// <summary>The partitioned limiters' partition of an id past the cache's cap (made per call there, as before).</summary>
    private RateLimitPartition<string> Partition(string id, RateLimitRule? rule) =>
        rule is null
            ? RateLimitPartition.GetNoLimiter(id)
            : RateLimitPartition.GetTokenBucketLimiter(id, _options.TryGetValue(rule, out var options) ? options : OptionsOf(rule));

    private static Func<string, TokenBucketRateLimiterOptions> OptionsOf(RateLimitRule rule) => _ => new TokenBucketRateLimiterOptions
    {
        TokenLimit = rule.EffectiveBurst,
        TokensPerPeriod = rule.Requests,
        ReplenishmentPeriod = TimeSpan.FromSeconds(rule.PeriodSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static RateLimitDecision Refuse(RateLimitLease lease, string who, RateLimitRule rule)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds))
            : (int)Math.Max(1, Math.Ceiling(rule.PeriodSeconds));
        var period = rule.PeriodSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return new RateLimitDecision($"rate limit exceeded for {who} ({rule.Requests} requests per {period} s)", retryAfter);
    }
}
