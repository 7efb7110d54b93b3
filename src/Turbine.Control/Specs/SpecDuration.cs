using System.Globalization;

namespace Turbine.Control.Specs;

/// <summary>
/// Durations in <c>turbine.dev/</c> annotations: a positive whole number and one unit, <c>ms</c>, <c>s</c>, <c>m</c>
/// or <c>h</c> (<c>500ms</c>, <c>60s</c>, <c>2m</c>), at most one day.
/// </summary>
internal static class SpecDuration
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(1);

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || digits > 9 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        TimeSpan? parsed = text[digits..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => null,
        };
        if (parsed is not { } result || result > Max)
        {
            return false;
        }

        value = result;
        return true;
    }
}
