using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelDynamicBatching</c>.</summary>
public sealed record ModelDynamicBatching
{
    public ImmutableArray<int> PreferredBatchSizes { get; init; } = [];
    public long MaxQueueDelayMicroseconds { get; init; }
    public bool PreserveOrdering { get; init; }
    public int PriorityLevels { get; init; }
    public int DefaultPriorityLevel { get; init; }
    public ModelQueuePolicy? DefaultQueuePolicy { get; init; }

    /// <summary>Priority level (1-based) to its queue policy.</summary>
    public ImmutableDictionary<ulong, ModelQueuePolicy> PriorityQueuePolicy { get; init; } =
        ImmutableDictionary<ulong, ModelQueuePolicy>.Empty;
}
