namespace Turbine.Core.Stats;

/// <summary>A count and the total nanoseconds it took (the protocol's StatisticDuration).</summary>
public readonly record struct StatisticDuration(long Count, long Ns);
