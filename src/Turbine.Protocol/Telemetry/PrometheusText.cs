using System.Globalization;
using System.Text;

namespace Turbine.Protocol.Telemetry;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): HELP/TYPE once per family, then samples. One writer
/// for the server's, the gateway's and the registry's <c>/metrics</c>.
/// </summary>
public sealed class PrometheusText
{
    /// <summary>The <c>Content-Type</c> of a text exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(8192);

    /// <summary>Starts a metric family: its <c># HELP</c> and <c># TYPE</c> lines (type: counter, gauge, histogram).</summary>
    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    /// <summary>One sample; <paramref name="labels"/> alternate name, value.</summary>
    public void Sample(string name, double value, params ReadOnlySpan<string> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            AppendLabels(labels);
            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    /// <summary>
    /// The samples of one histogram series: a <c>_bucket</c> line per bound (labels, then <c>le</c>), the <c>+Inf</c>
    /// bucket, then <c>_sum</c> and <c>_count</c>; <paramref name="labels"/> alternate name, value.
    /// </summary>
    public void Histogram(string name, HistogramSnapshot histogram, params ReadOnlySpan<string> labels)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var bounds = histogram.Bounds;
        var cumulative = histogram.Cumulative;
        var bucket = name + "_bucket";
        for (var i = 0; i < cumulative.Length; i++)
        {
            _text.Append(bucket).Append('{');
            AppendLabels(labels);
            if (labels.Length > 0)
            {
                _text.Append(',');
            }

            _text.Append("le=\"").Append(i < bounds.Length ? Format(bounds[i]) : "+Inf").Append("\"} ")
                .Append(Format(cumulative[i])).Append('\n');
        }

        Sample(name + "_sum", histogram.Sum, labels);
        Sample(name + "_count", histogram.Count, labels);
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>A sample value as the format spells it: shortest round-trip decimal, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private void AppendLabels(ReadOnlySpan<string> labels)
    {
        for (var i = 0; i < labels.Length; i += 2)
        {
            if (i > 0)
            {
                _text.Append(',');
            }

            _text.Append(labels[i]).Append("=\"");
            AppendEscaped(labels[i + 1]);
            _text.Append('"');
        }
    }

    private void AppendEscaped(string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': _text.Append("\\\\"); break;
                case '"': _text.Append("\\\""); break;
                case '\n': _text.Append("\\n"); break;
                default: _text.Append(c); break;
            }
        }
    }
}
