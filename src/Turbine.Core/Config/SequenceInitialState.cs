using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelSequenceBatching.InitialState</c>.</summary>
public sealed record SequenceInitialState
{
    public TensorDataType DataType { get; init; }
    public ImmutableArray<long> Dims { get; init; } = [];
    public bool ZeroData { get; init; }

    /// <summary>Empty when not set.</summary>
    public string DataFile { get; init; } = "";
    public string Name { get; init; } = "";
}
