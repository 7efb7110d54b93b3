using System.Globalization;
using Turbine.Protocol;

namespace Turbine.Core.Tensors;

/// <summary>
/// Triton's classification extension: replaces a numeric output by its top-k entries per batch item, as BYTES
/// strings <c>"value:index"</c> or <c>"value:index:label"</c> when the output has a label file.
/// </summary>
internal static class Classification
{
    public static InferenceTensor TopK(InferenceTensor output, int k, bool batched, IReadOnlyList<string>? labels)
    {
        var shape = output.Shape;
        var batch = batched && shape.Length > 0 ? shape[0] : 1;
        var total = output.ElementCount;
        var classes = batch == 0 ? 0 : total / batch;
        var take = (int)Math.Min(k, classes);
        var data = output.Data.Span;
        var strings = new List<string>((int)(batch * take));
        var indices = new int[classes];
        var values = new double[classes];
        for (long b = 0; b < batch; b++)
        {
            for (var c = 0; c < classes; c++)
            {
                indices[c] = c;
                values[c] = TensorValues.ReadAsDouble(data, output.DataType, (b * classes) + c);
            }

            // Stable order: higher value first, then lower index.
            Array.Sort(indices, (x, y) =>
            {
                var cmp = values[y].CompareTo(values[x]);
                return cmp != 0 ? cmp : x.CompareTo(y);
            });
            for (var i = 0; i < take; i++)
            {
                var c = indices[i];
                var value = output.DataType.IsFloatingPoint()
                    ? values[c].ToString("F6", CultureInfo.InvariantCulture)
                    : ((long)values[c]).ToString(CultureInfo.InvariantCulture);
                strings.Add(labels is not null && c < labels.Count
                    ? $"{value}:{c}:{labels[c]}"
                    : $"{value}:{c}");
            }
        }

        long[] newShape = batched && shape.Length > 0 ? [batch, take] : [take];
        return new InferenceTensor(output.Name, TensorDataType.Bytes, newShape, BytesTensor.Frame(strings));
    }
}
