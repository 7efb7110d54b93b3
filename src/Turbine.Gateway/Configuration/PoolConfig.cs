namespace Turbine.Gateway.Configuration;

/// <summary>
/// A backend pool: server replicas that serve the same models, the balancing policy that spreads requests over
/// them, active health checks, passive outlier ejection, retries and a concurrency limit per replica.
/// </summary>
public sealed record PoolConfig : IValidatableConfig
{
    /// <summary>The replicas: each an HTTP (REST) base URL and, for gRPC traffic, its gRPC (HTTP/2) base URL.</summary>
    public List<ReplicaConfig> Replicas { get; init; } = [];

    /// <summary><c>roundRobin</c>, <c>leastRequests</c>, <c>powerOfTwoChoices</c> (default) or <c>peakEwma</c>.</summary>
    public string Policy { get; init; } = "powerOfTwoChoices";

    /// <summary>Most requests in flight to one replica (0 = unlimited); a pool with every replica full answers 429.</summary>
    public int MaxConcurrencyPerReplica { get; init; }

    /// <summary>Largest <see cref="RequestTimeoutMs"/> accepted: one day.</summary>
    public const int MaxRequestTimeoutMs = 86_400_000;

    /// <summary>
    /// Longest a request routed to this pool may take, from its arrival at the gateway to the end of its answer, waits in
    /// the activator and retries included (KServe's <c>spec.predictor.timeout</c>); 0 (default) = no limit. Over it the
    /// request is cancelled towards the replica and answered 504 (gRPC <c>DEADLINE_EXCEEDED</c>), or cut if its answer had
    /// already started.
    /// </summary>
    public int RequestTimeoutMs { get; init; }

    public HealthCheckConfig HealthCheck { get; init; } = new();

    public OutlierConfig Outlier { get; init; } = new();

    public RetryConfig Retry { get; init; } = new();

    /// <summary>
    /// When set, the pool may have no replicas: requests wait in the activator's bounded queue until a config update adds
    /// one (scale from zero). Null (default): a pool needs at least one replica.
    /// </summary>
    public ActivatorConfig? Activator { get; init; }

    public void Validate(string path, ConfigValidationContext context)
    {
        if (Replicas.Count == 0 && Activator is null)
        {
            context.Error(path + ".replicas", "a pool needs at least one replica (or an 'activator' to hold requests while it has none)");
        }

        for (var i = 0; i < Replicas.Count; i++)
        {
            Replicas[i].Validate($"{path}.replicas[{i}]", context);
        }

        if (!LoadBalancing.BalancingPolicies.IsKnown(Policy))
        {
            context.Error(path + ".policy", $"unknown balancing policy '{Policy}' (expected one of {string.Join(", ", LoadBalancing.BalancingPolicies.Names)})");
        }

        if (MaxConcurrencyPerReplica < 0)
        {
            context.Error(path + ".maxConcurrencyPerReplica", $"must be 0 (unlimited) or positive, got {MaxConcurrencyPerReplica}");
        }

        if (RequestTimeoutMs is < 0 or > MaxRequestTimeoutMs)
        {
            context.Error(path + ".requestTimeoutMs", $"must be 0 (no limit) or 1..{MaxRequestTimeoutMs} ms, got {RequestTimeoutMs}");
        }

        HealthCheck.Validate(path + ".healthCheck", context);
        Outlier.Validate(path + ".outlier", context);
        Retry.Validate(path + ".retry", context);
        Activator?.Validate(path + ".activator", context);
    }
}
