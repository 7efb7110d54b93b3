namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.StrategyDirect</c>.</summary>
public sealed record SequenceStrategyDirect
{
    public long MaxQueueDelayMicroseconds { get; init; }
    public float MinimumSlotUtilization { get; init; }
}
