using System.Text.RegularExpressions;

namespace Turbine.Registry.Security;

/// <summary>A model-name glob (<c>*</c> any run of characters, <c>?</c> one character), e.g. <c>fraud*</c>; <c>*</c> is every model.</summary>
internal static partial class ModelPattern
{
    public const string All = "*";

    public static bool IsValid(string pattern) => pattern.Length is > 0 and <= 256 && ValidPattern().IsMatch(pattern);

    public static bool Matches(string pattern, string model)
    {
        if (pattern == All)
        {
            return true;
        }

        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(model, regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-*?]+$")]
    private static partial Regex ValidPattern();
}
