using Turbine.Core.Tensors;

namespace Turbine.Core.Caching;

/// <summary>An output kept by the response cache: immutable bytes in the protocol layout.</summary>
internal sealed record CachedTensor(string Name, TensorDataType DataType, long[] Shape, byte[] Data)
{
    /// <summary>A tensor view over the cached bytes (no copy, no owner: the cache's arrays are never mutated).</summary>
    public InferenceTensor ToTensor() => new(Name, DataType, [.. Shape], Data);
}
