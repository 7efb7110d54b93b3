using System.Text.RegularExpressions;

namespace Turbine.Registry.Security;

/// <summary>A model-name glob (<c>*</c> any run of characters, <c>?</c> one character), e.g. <c>fraud*</c>; <c>*</c> is every model.</summary>
internal static partial class ModelPattern
{
    public const string All = "*";

    public static bool IsValid(string pattern) => pattern.Length is > 0 and <= 256 && ValidPattern().IsMatch(pattern);

    public static bool Matches(string pattern, string model) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, model, ignoreCase: false);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-*?]+$")]
    private static partial Regex ValidPattern();
}
