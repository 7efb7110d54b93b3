using System.Globalization;
using System.Text.RegularExpressions;

namespace Turbine.Registry.Domain;

/// <summary>A metric threshold such as <c>auc&gt;=0.9</c>.</summary>
internal sealed partial record MetricFilter(string Key, string Operator, double Value)
{
    public static RegistryResult<MetricFilter> Parse(string text)
    {
        var match = Pattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[3].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return RegistryError.Invalid("invalid_filter", $"metric filter '{text}' is not of the form KEY>=NUMBER (operators >=, <=, >, <, =)");
        }

        return new MetricFilter(match.Groups[1].Value, match.Groups[2].Value == "==" ? "=" : match.Groups[2].Value, value);
    }

    [GeneratedRegex(@"^([A-Za-z0-9_.\-/]{1,256})\s*(>=|<=|==|=|>|<)\s*(\S+)$")]
    private static partial Regex Pattern();
}
