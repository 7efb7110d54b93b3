using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelInput</c>.</summary>
public sealed record ModelInput
{
    public string Name { get; init; } = "";
    public TensorDataType DataType { get; init; }

    /// <summary><c>FORMAT_NONE</c>, <c>FORMAT_NHWC</c> or <c>FORMAT_NCHW</c>.</summary>
    public string Format { get; init; } = "FORMAT_NONE";

    /// <summary>Shape without the batch dimension when max_batch_size &gt; 0; -1 = variable.</summary>
    public ImmutableArray<long> Dims { get; init; } = [];

    /// <summary><c>reshape { shape: [...] }</c>; null when not given.</summary>
    public ImmutableArray<long>? Reshape { get; init; }
    public bool IsShapeTensor { get; init; }
    public bool AllowRaggedBatch { get; init; }
    public bool Optional { get; init; }
}
