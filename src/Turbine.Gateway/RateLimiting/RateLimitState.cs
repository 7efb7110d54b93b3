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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Id, RateLimitRule? Rule), RateLimitPartition<string>> _partitions = new();

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
    internal int CachedPartitions => _partitions.Count;

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
            using var lease = _callers.AttemptAcquire((callerId, rule));
            if (!lease.IsAcquired)
            {
                var who = anonymous ? $"anonymous client '{clientAddress}'" : $"key '{callerKey}'";
                return Refuse(lease, who, rule);
            }
        }

        if (model is not null && ModelRule(model) is { } modelRule)
        {
            using var lease = _models.AttemptAcquire(model);
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
    }

    private RateLimitRule? KeyRule(string callerKey) =>
        _config.Keys.TryGetValue(callerKey, out var rule) && rule is not null ? rule : _config.PerKey;

    private RateLimitRule? ModelRule(string model) =>
        _config.Models.TryGetValue(model, out var rule) && rule is not null ? rule : _config.PerModel;

    private RateLimitPartition<string> Partition(string id, RateLimitRule? rule)
    {
        // The limiter calls this on every acquire, and GetTokenBucketLimiter wraps the factory in a new closure each
        // time: the partitions are kept (bounded: ids come from callers and model names; past the cap they are made
        // per call, as before).
        if (_partitions.TryGetValue((id, rule), out var cached))
        {
            return cached;
        }

        var made = rule is null
            ? RateLimitPartition.GetNoLimiter(id)
            : RateLimitPartition.GetTokenBucketLimiter(id, _options.TryGetValue(rule, out var options) ? options : OptionsOf(rule));
        if (_partitions.Count < MaxCachedPartitions)
        {
            _partitions.TryAdd((id, rule), made);
        }

        return made;
    }

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
