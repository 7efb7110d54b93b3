namespace Turbine.Features.Tests;

/// <summary>A clock standing at a given instant.</summary>
internal sealed class FixedTime(DateTime utc) : TimeProvider
{
    public DateTime Now { get; set; } = utc;

    public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
}
