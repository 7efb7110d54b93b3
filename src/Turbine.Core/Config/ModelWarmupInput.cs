using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelWarmup.Input</c>; exactly one of zero_data, random_data, input_data_file.</summary>
public sealed record ModelWarmupInput
{
    public TensorDataType DataType { get; init; }
    public ImmutableArray<long> Dims { get; init; } = [];
    public bool ZeroData { get; init; }
    public bool RandomData { get; init; }

    /// <summary>Empty when not set.</summary>
    public string InputDataFile { get; init; } = "";
}
