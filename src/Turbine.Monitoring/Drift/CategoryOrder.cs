using System.Globalization;

namespace Turbine.Monitoring.Drift;

/// <summary>Orders category keys as Python's <c>sorted</c> would: numbers numerically when every key is one, else by code point.</summary>
internal sealed class CategoryOrder : IComparer<string>
{
    public static readonly CategoryOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
        {
            return a.CompareTo(b);
        }

        return string.CompareOrdinal(x, y);
    }
}
