namespace Turbine.Core.Tensors;

/// <summary>
/// A named tensor in the protocol's raw layout: little-endian, row-major, no padding; BOOL one byte per
/// element; BYTES as a sequence of 4-byte little-endian lengths each followed by that many bytes. The data
/// is a view: over a slice of a request body, a pooled buffer, or a backend's output buffer. Whoever
/// created the tensor with an owner gives that owner to the tensor; disposing the tensor releases it.
/// </summary>
public sealed class InferenceTensor : IDisposable
{
    private IDisposable? _owner;

    public InferenceTensor(string name, TensorDataType dataType, long[] shape, ReadOnlyMemory<byte> data, IDisposable? owner = null)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
        _owner = owner;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    /// <summary>Dimensions, batch first when the model batches. Never written: the REST front end shares shape arrays between requests.</summary>
    public long[] Shape { get; }

    /// <summary>Raw bytes in the protocol layout.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Per-tensor parameters from the request (for example <c>binary_data_size</c>), or null.</summary>
    public Dictionary<string, InferParameter>? Parameters { get; set; }

    /// <summary>Number of elements the shape describes.</summary>
    public long ElementCount => TensorShape.ElementCount(Shape);

    public void Dispose()
    {
        var owner = Interlocked.Exchange(ref _owner, null);
        owner?.Dispose();
    }
}
