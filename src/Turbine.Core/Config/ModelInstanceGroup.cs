using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelInstanceGroup</c>.</summary>
public sealed record ModelInstanceGroup
{
    public string Name { get; init; } = "";

    /// <summary>Instances in the group; 1 when not given (Triton normalizes 0 to 1).</summary>
    public int Count { get; init; } = 1;
    public ModelInstanceKind Kind { get; init; }
    public ImmutableArray<int> Gpus { get; init; } = [];
}
