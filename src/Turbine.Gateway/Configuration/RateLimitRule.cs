namespace Turbine.Gateway.Configuration;

/// <summary>A token bucket: <see cref="Requests"/> tokens added every <see cref="PeriodSeconds"/>, holding at most <see cref="Burst"/>.</summary>
public sealed record RateLimitRule
{
    /// <summary>Requests allowed per period (tokens added per period). Required, at least 1.</summary>
    public int Requests { get; init; }

    /// <summary>Length of the period in seconds. Default 1.</summary>
    public double PeriodSeconds { get; init; } = 1;

    /// <summary>Bucket size: the most requests allowed at once after an idle spell. Default = <see cref="Requests"/>.</summary>
    public int? Burst { get; init; }

    /// <summary>The bucket size in effect.</summary>
    public int EffectiveBurst => Burst ?? Requests;

    internal void Validate(string path, ConfigValidationContext context)
    {
        if (Requests < 1)
        {
            context.Error($"{path}.requests", $"expected a whole number of requests of at least 1, got {Requests}");
        }

        if (!(PeriodSeconds >= 0.001) || PeriodSeconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            context.Error($"{path}.periodSeconds", $"expected seconds between 0.001 and 86400, got {PeriodSeconds}");
        }

        if (Burst is { } burst && burst < 1)
        {
            context.Error($"{path}.burst", $"expected at least 1, got {burst}");
        }
    }
}
