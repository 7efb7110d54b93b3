using System.Buffers.Binary;
using System.Text;
using Turbine.Batch.Scoring;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Mapping;

/// <summary>Splits a batched output tensor back into one cell per row.</summary>
internal static class OutputDecoder
{
    /// <summary>The cells of <paramref name="tensor"/>'s <paramref name="rows"/> rows (scalars, or object?[] lists).</summary>
    public static object?[] Decode(BatchTensor tensor, int rows, bool scalar)
    {
        var elements = Elements(tensor);
        if (rows <= 0 || elements.Length % rows != 0)
        {
            throw new BatchScoringException($"output '{tensor.Name}' has {elements.Length} elements, not a multiple of the {rows} rows sent");
        }

        var per = elements.Length / rows;
        var cells = new object?[rows];
        for (var r = 0; r < rows; r++)
        {
            cells[r] = scalar && per == 1 ? elements[r] : elements.AsSpan(r * per, per).ToArray();
        }

        return cells;
    }

    private static object?[] Elements(BatchTensor tensor)
    {
        var data = tensor.Data.Span;
        if (tensor.DataType == TensorDataType.Bytes)
        {
            var list = new List<object?>();
            var offset = 0;
            while (offset + 4 <= data.Length)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
                if (length < 0 || offset + 4 + length > data.Length)
                {
                    throw new BatchScoringException($"output '{tensor.Name}': a BYTES element runs past the tensor's end");
                }

                list.Add(Encoding.UTF8.GetString(data.Slice(offset + 4, length)));
                offset += 4 + length;
            }

            return [.. list];
        }

        var size = tensor.DataType.ElementSize();
        var count = data.Length / size;
        var values = new object?[count];
        for (var i = 0; i < count; i++)
        {
            var e = data.Slice(i * size, size);
            values[i] = tensor.DataType switch
            {
                TensorDataType.FP32 => BinaryPrimitives.ReadSingleLittleEndian(e),
                TensorDataType.FP16 => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
                TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(e),
                TensorDataType.Bool => e[0] != 0,
                TensorDataType.Int8 => (int)(sbyte)e[0],
                TensorDataType.UInt8 => (int)e[0],
                TensorDataType.Int16 => (int)BinaryPrimitives.ReadInt16LittleEndian(e),
                TensorDataType.UInt16 => (int)BinaryPrimitives.ReadUInt16LittleEndian(e),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
                TensorDataType.UInt32 => (long)BinaryPrimitives.ReadUInt32LittleEndian(e),
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
                TensorDataType.UInt64 => unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(e)),
                _ => throw new BatchScoringException($"output '{tensor.Name}': datatype {tensor.DataType.ToWireName()} is not supported by batch"),
            };
        }

        return values;
    }
}
