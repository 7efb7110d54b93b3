using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelOutput</c>.</summary>
public sealed record ModelOutput
{
    public string Name { get; init; } = "";
    public TensorDataType DataType { get; init; }
    public ImmutableArray<long> Dims { get; init; } = [];

    /// <summary><c>reshape { shape: [...] }</c>; null when not given.</summary>
    public ImmutableArray<long>? Reshape { get; init; }
    public string LabelFilename { get; init; } = "";
    public bool IsShapeTensor { get; init; }
}
