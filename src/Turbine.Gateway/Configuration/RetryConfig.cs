namespace Turbine.Gateway.Configuration;

/// <summary>
/// Retries on another replica, only where safe: the connection was refused (nothing reached the server) or the
/// server answered 503 before it began processing; only for bodies buffered whole (up to
/// <see cref="MaxBufferBytes"/>; never streaming gRPC). Retries are capped by a budget: at most
/// <see cref="BudgetPercent"/> % of recent requests plus <see cref="MinRetriesPerSecond"/>.
/// </summary>
public sealed record RetryConfig : IValidatableConfig
{
    /// <summary>Attempts in all, the first included. Default 3; 1 = no retries.</summary>
    public int MaxAttempts { get; init; } = 3;

    public int BudgetPercent { get; init; } = 20;

    public int MinRetriesPerSecond { get; init; } = 10;

    /// <summary>
    /// The operator declares the pool's models stateless, so running a request twice is harmless: then a request
    /// whose connection closed before any response byte (a replica stopping or crashing, a keep-alive connection
    /// closed under it) is retried too. Default false: only refused connections and 503s are retried.
    /// </summary>
    public bool Idempotent { get; init; }

    /// <summary>Largest request body buffered so it can be replayed. Default 4 MiB.</summary>
    public long MaxBufferBytes { get; init; } = 4L << 20;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (MaxAttempts is < 1 or > 10)
        {
            context.Error(path + ".maxAttempts", $"must be between 1 and 10, got {MaxAttempts}");
        }

        if (BudgetPercent is < 0 or > 100)
        {
            context.Error(path + ".budgetPercent", $"must be between 0 and 100, got {BudgetPercent}");
        }

        if (MinRetriesPerSecond < 0)
        {
            context.Error(path + ".minRetriesPerSecond", $"must not be negative, got {MinRetriesPerSecond}");
        }

        if (MaxBufferBytes < 0)
        {
            context.Error(path + ".maxBufferBytes", $"must not be negative, got {MaxBufferBytes}");
        }
    }
}
