using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Core.Payloads;

/// <summary>
/// A copy of (the first elements of) a tensor, taken on the request path before the request's or response's
/// buffers are released; turned into JSON values by the background writer.
/// </summary>
public sealed class PayloadTensor
{
    public PayloadTensor(string name, TensorDataType dataType, long[] shape, byte[] data, long elements, bool truncated, bool redacted)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
        Elements = elements;
        Truncated = truncated;
        Redacted = redacted;
    }

    public string Name { get; }

    public TensorDataType DataType { get; }

    public long[] Shape { get; }

    /// <summary>The kept elements in the protocol's raw layout (empty when redacted).</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements in <see cref="Data"/>.</summary>
    public long Elements { get; }

    public bool Truncated { get; }

    public bool Redacted { get; }

    /// <summary>Copies at most <see cref="PayloadLogSettings.MaxElements"/> elements of the tensor.</summary>
    internal static PayloadTensor Capture(InferenceTensor tensor, PayloadLogSettings settings)
    {
        var shape = (long[])tensor.Shape.Clone();
        if (settings.Redact.Contains(tensor.Name))
        {
            return new PayloadTensor(tensor.Name, tensor.DataType, shape, [], 0, truncated: false, redacted: true);
        }

        var data = tensor.Data.Span;
        var total = tensor.ElementCount;
        var keep = Math.Min(total, settings.MaxElements);
        int bytes;
        if (tensor.DataType == TensorDataType.Bytes)
        {
            var rest = data;
            long counted = 0;
            while (counted < keep && BytesTensor.TryReadElement(ref rest, out _))
            {
                counted++;
            }

            bytes = data.Length - rest.Length;
            keep = counted;
        }
        else
        {
            var size = tensor.DataType.ElementSize();
            keep = Math.Min(keep, data.Length / Math.Max(size, 1));
            bytes = (int)(keep * size);
        }

        return new PayloadTensor(tensor.Name, tensor.DataType, shape, data[..bytes].ToArray(), keep, truncated: keep < total, redacted: false);
    }
}
