namespace Turbine.Gateway.Configuration;

/// <summary>
/// The activator of a pool that may have no replicas (scaled to zero): a request that finds none waits in a bounded
/// queue until a config update adds a replica, <see cref="MaxWaitMs"/> passes, or the client goes away. A request over
/// <see cref="QueueSize"/> is refused at once. Refusals are 503 with <c>Retry-After</c> (gRPC UNAVAILABLE).
/// </summary>
public sealed record ActivatorConfig : IValidatableConfig
{
    /// <summary>Upper bound of <see cref="QueueSize"/>.</summary>
    public const int MaxQueueSize = 100_000;

    /// <summary>Upper bound of <see cref="MaxWaitMs"/>: ten minutes.</summary>
    public const int MaxWaitLimitMs = 600_000;

    /// <summary>Most requests held at once for the pool. Default 100.</summary>
    public int QueueSize { get; init; } = 100;

    /// <summary>Longest a request waits for a replica, milliseconds. Default 30000.</summary>
    public int MaxWaitMs { get; init; } = 30_000;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (QueueSize is < 1 or > MaxQueueSize)
        {
            context.Error(path + ".queueSize", $"must be between 1 and {MaxQueueSize}, got {QueueSize}");
        }

        if (MaxWaitMs is < 1 or > MaxWaitLimitMs)
        {
            context.Error(path + ".maxWaitMs", $"must be between 1 and {MaxWaitLimitMs}, got {MaxWaitMs}");
        }
    }
}
