using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.Control</c>.</summary>
public sealed record SequenceControl
{
    public SequenceControlKind Kind { get; init; }
    public ImmutableArray<int> Int32FalseTrue { get; init; } = [];
    public ImmutableArray<float> Fp32FalseTrue { get; init; } = [];
    public ImmutableArray<bool> BoolFalseTrue { get; init; } = [];

    /// <summary>For <see cref="SequenceControlKind.SequenceCorrId"/>.</summary>
    public TensorDataType DataType { get; init; }
}
