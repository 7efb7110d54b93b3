using System.Text;

namespace Turbine.Core.Tensors;

/// <summary>Helpers for tensor shapes (arrays of dimensions, -1 for a variable dimension in configs).</summary>
public static class TensorShape
{
    /// <summary>Product of the dimensions; 1 for a scalar; -1 if any dimension is negative or it overflows.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                return -1;
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }

        return count;
    }

    /// <summary>Formats a shape as <c>[2,16]</c>, the form used in error messages.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(shape[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <summary>True when <paramref name="actual"/> matches <paramref name="pattern"/>, where -1 matches any size.</summary>
    public static bool Matches(ReadOnlySpan<long> pattern, ReadOnlySpan<long> actual)
    {
        if (pattern.Length != actual.Length)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != -1 && pattern[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }
}
