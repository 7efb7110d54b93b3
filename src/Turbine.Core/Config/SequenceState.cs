using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.State</c>.</summary>
public sealed record SequenceState
{
    public string InputName { get; init; } = "";
    public string OutputName { get; init; } = "";
    public TensorDataType DataType { get; init; }
    public ImmutableArray<long> Dims { get; init; } = [];
    public ImmutableArray<SequenceInitialState> InitialState { get; init; } = [];
}
