using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.ControlInput</c>.</summary>
public sealed record SequenceControlInput
{
    public string Name { get; init; } = "";
    public ImmutableArray<SequenceControl> Controls { get; init; } = [];
}
