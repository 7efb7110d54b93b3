using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching</c>.</summary>
public sealed record ModelSequenceBatching
{
    /// <summary>Raw value; 0 = not set (Triton then uses 1000000).</summary>
    public long MaxSequenceIdleMicroseconds { get; init; }
    public ImmutableArray<SequenceControlInput> ControlInputs { get; init; } = [];
    public SequenceStrategyDirect? Direct { get; init; }
    public SequenceStrategyOldest? Oldest { get; init; }
    public ImmutableArray<SequenceState> States { get; init; } = [];
}
