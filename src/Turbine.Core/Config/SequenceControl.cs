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

    /// <summary>
    /// The tensor type the control fills: INT32 / FP32 / BOOL from the <c>*_false_true</c> field that is set, or
    /// <see cref="DataType"/> for CORRID; <see cref="TensorDataType.Invalid"/> when none is set.
    /// </summary>
    public TensorDataType TensorType => Kind == SequenceControlKind.SequenceCorrId
        ? DataType
        : !Int32FalseTrue.IsEmpty ? TensorDataType.Int32
        : !Fp32FalseTrue.IsEmpty ? TensorDataType.FP32
        : !BoolFalseTrue.IsEmpty ? TensorDataType.Bool
        : TensorDataType.Invalid;
}
