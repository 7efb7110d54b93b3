using System.Globalization;

namespace Turbine.Control.Runtime;

/// <summary>The little of the Prometheus text format the runtime reads from a replica's <c>/metrics</c>.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The sum of the samples of <paramref name="family"/> whose <c>model</c> label is one of <paramref name="models"/>
    /// (any model when empty); null when there is no such sample.
    /// </summary>
    public static double? Sum(string text, string family, IReadOnlyCollection<string> models)
    {
        double? sum = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.StartsWith(family, StringComparison.Ordinal) || line.Length == family.Length || line[family.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labelsEnd = line.LastIndexOf('}');
            var labels = line[family.Length] == '{' && labelsEnd > family.Length ? line[(family.Length + 1)..labelsEnd] : "";
            var valueText = line[(labelsEnd < 0 ? family.Length : labelsEnd + 1)..].Trim().Split(' ')[0];
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
            {
                continue;
            }

            if (models.Count > 0 && (Label(labels, "model") is not { } model || !models.Contains(model)))
            {
                continue;
            }

            sum = (sum ?? 0) + value;
        }

        return sum;
    }

    /// <summary>The value of <paramref name="name"/> in <c>a="x",b="y"</c> (escapes <c>\"</c> and <c>\\</c> undone); null when absent.</summary>
    internal static string? Label(string labels, string name)
    {
        var i = 0;
        while (i < labels.Length)
        {
            var eq = labels.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= labels.Length || labels[eq + 1] != '"')
            {
                return null;
            }

            var key = labels[i..eq].Trim().TrimStart(',').Trim();
            var value = new System.Text.StringBuilder();
            var j = eq + 2;
            for (; j < labels.Length && labels[j] != '"'; j++)
            {
                if (labels[j] == '\\' && j + 1 < labels.Length)
                {
                    j++;
                    value.Append(labels[j] == 'n' ? '\n' : labels[j]);
                }
                else
                {
                    value.Append(labels[j]);
                }
            }

            if (key == name)
            {
                return value.ToString();
            }

            i = j + 1;
        }

        return null;
    }
}
