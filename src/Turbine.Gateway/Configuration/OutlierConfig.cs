namespace Turbine.Gateway.Configuration;

/// <summary>
/// Passive outlier ejection: a replica that fails <see cref="ConsecutiveFailures"/> requests in a row (connection
/// refused/reset, 502, 503, 504) is ejected for <see cref="EjectionMs"/>, then re-admitted; the next failure streak
/// ejects it again. At most <see cref="MaxEjectionPercent"/> of a pool is ejected at once.
/// </summary>
public sealed record OutlierConfig : IValidatableConfig
{
    public int ConsecutiveFailures { get; init; } = 3;

    public int EjectionMs { get; init; } = 10_000;

    public int MaxEjectionPercent { get; init; } = 50;

    public void Validate(string path, ConfigValidationContext context)
    {
        if (ConsecutiveFailures < 1)
        {
            context.Error(path + ".consecutiveFailures", $"must be at least 1, got {ConsecutiveFailures}");
        }

        if (EjectionMs < 1)
        {
            context.Error(path + ".ejectionMs", $"must be positive, got {EjectionMs}");
        }

        if (MaxEjectionPercent is < 0 or > 100)
        {
            context.Error(path + ".maxEjectionPercent", $"must be between 0 and 100, got {MaxEjectionPercent}");
        }
    }
}
