using System.Globalization;

namespace Turbine.Client.Internal;

/// <summary>Element counts and the error-message spelling of tensor shapes.</summary>
internal static class TensorShapes
{
    /// <summary>Product of the dims, or -1 when a dim is negative (variable).</summary>
    public static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            count = checked(count * dim);
        }

        return count;
    }

    public static string FormatShape(long[] shape) =>
        "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
