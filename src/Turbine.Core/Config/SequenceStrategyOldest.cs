using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.StrategyOldest</c>.</summary>
public sealed record SequenceStrategyOldest
{
    public int MaxCandidateSequences { get; init; }
    public ImmutableArray<int> PreferredBatchSizes { get; init; } = [];
    public long MaxQueueDelayMicroseconds { get; init; }
    public bool PreserveOrdering { get; init; }
}
