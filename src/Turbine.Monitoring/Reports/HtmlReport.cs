using System.Globalization;
using System.Net;
using System.Text;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Online;

namespace Turbine.Monitoring.Reports;

/// <summary>
/// A self-contained HTML drift report: per feature the reference-vs-current distribution as an inline SVG bar chart,
/// the test, its score and threshold; the dataset verdict; and, when windows are given, drift share and performance
/// over time as SVG line charts. No script, no stylesheet or font from elsewhere: it opens offline.
/// </summary>
public static class HtmlReport
{
    private const string ReferenceColor = "#4c78a8";
    private const string CurrentColor = "#f58518";

    public static string Render(string title, DriftReport drift, IReadOnlyList<WindowReport>? windows = null, DateTimeOffset? generatedAt = null)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".drift{color:#b00020;font-weight:bold}.ok{color:#1b7f3b}.grid{display:flex;flex-wrap:wrap;gap:16px}.card{border:1px solid #ddd;padding:8px;border-radius:6px}")
            .Append(".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}</style></head><body>");
        html.Append("<h1>").Append(E(title)).Append("</h1>");
        if (generatedAt is { } at)
        {
            html.Append("<p>Generated ").Append(E(at.ToString("u", CultureInfo.InvariantCulture))).Append("</p>");
        }

        html.Append("<p>Dataset drift: <span class=\"").Append(drift.DatasetDrift ? "drift\">DETECTED" : "ok\">not detected").Append("</span> — ")
            .Append(drift.Drifted).Append(" of ").Append(drift.Tested).Append(" features drifted (share ").Append(F(drift.Share))
            .Append(", threshold ").Append(F(drift.DriftShareThreshold)).Append(").</p>");
        html.Append("<p class=\"legend\"><span style=\"background:").Append(ReferenceColor).Append("\"></span>reference<span style=\"background:")
            .Append(CurrentColor).Append("\"></span>current</p>");
        html.Append("<table><tr><th>feature</th><th>test</th><th>score</th><th>threshold</th><th>drift</th><th>reference n</th><th>current n</th></tr>");
        foreach (var f in drift.Features)
        {
            html.Append("<tr><td>").Append(E(f.Feature)).Append("</td><td>").Append(E(f.Skipped is null ? f.Test : "—")).Append("</td><td>")
                .Append(f.Skipped is null ? F(f.Score) : E(f.Skipped)).Append("</td><td>").Append(f.Skipped is null ? F(f.Threshold) : "")
                .Append("</td><td class=\"").Append(f.Drifted ? "drift\">yes" : "ok\">no").Append("</td><td>").Append(f.ReferenceCount)
                .Append("</td><td>").Append(f.CurrentCount).Append("</td></tr>");
        }

        html.Append("</table><h2>Distributions</h2><div class=\"grid\">");
        foreach (var f in drift.Features.Where(f => f.Distribution is not null))
        {
            html.Append("<div class=\"card\"><h3>").Append(E(f.Feature)).Append(" <small>").Append(E(f.Test)).Append(' ').Append(F(f.Score)).Append("</small></h3>");
            Bars(html, f.Distribution!);
            html.Append("</div>");
        }

        html.Append("</div>");
        if (windows is { Count: > 0 })
        {
            var closed = windows.Where(w => w.Drift is not null).ToArray();
            html.Append("<h2>Over time</h2><div class=\"grid\">");
            html.Append("<div class=\"card\"><h3>drift share per window</h3>");
            Line(html, closed.Select(w => w.Drift!.Share).ToArray(), closed.Select(w => w.Id.ToString(CultureInfo.InvariantCulture)).ToArray());
            html.Append("</div>");
            foreach (var metric in new[] { "accuracy", "f1", "roc_auc", "mae", "rmse" })
            {
                var points = closed.Where(w => w.Performance.ContainsKey(metric)).ToArray();
                if (points.Length > 0)
                {
                    html.Append("<div class=\"card\"><h3>").Append(metric).Append(" per window</h3>");
                    Line(html, points.Select(w => w.Performance[metric]).ToArray(), points.Select(w => w.Id.ToString(CultureInfo.InvariantCulture)).ToArray());
                    html.Append("</div>");
                }
            }

            html.Append("</div>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Bars(StringBuilder html, Distribution d)
    {
        const int width = 360, height = 180, bottom = 20;
        var n = d.Labels.Length;
        var max = Math.Max(d.Reference.DefaultIfEmpty(0).Max(), d.Current.DefaultIfEmpty(0).Max());
        max = max <= 0 ? 1 : max;
        var slot = (double)width / Math.Max(n, 1);
        var bar = Math.Max(slot / 2 - 1, 0.5);
        html.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(height + bottom)
            .Append("\" role=\"img\"><rect x=\"0\" y=\"0\" width=\"").Append(width).Append("\" height=\"").Append(height).Append("\" fill=\"#fafafa\"/>");
        for (var k = 0; k < n; k++)
        {
            var x = k * slot;
            Rect(html, x, d.Reference[k] / max * (height - 4), bar, height, ReferenceColor, $"{d.Labels[k]}: reference {F(d.Reference[k])}");
            Rect(html, x + bar, d.Current[k] / max * (height - 4), bar, height, CurrentColor, $"{d.Labels[k]}: current {F(d.Current[k])}");
        }

        if (n <= 12)
        {
            for (var k = 0; k < n; k++)
            {
                html.Append("<text x=\"").Append(F(k * slot + 2)).Append("\" y=\"").Append(height + 14).Append("\" font-size=\"9\">")
                    .Append(E(d.Labels[k].Length > 10 ? d.Labels[k][..10] : d.Labels[k])).Append("</text>");
            }
        }

        html.Append("</svg>");
    }

    private static void Rect(StringBuilder html, double x, double h, double w, int height, string color, string title) =>
        html.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(height - h)).Append("\" width=\"").Append(F(w)).Append("\" height=\"")
            .Append(F(h)).Append("\" fill=\"").Append(color).Append("\"><title>").Append(E(title)).Append("</title></rect>");

    private static void Line(StringBuilder html, double[] values, string[] labels)
    {
        const int width = 360, height = 160;
        var finite = values.Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double lo = Math.Min(0, finite.Min()), hi = Math.Max(finite.Max(), lo + 1e-9);
        html.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(height)
            .Append("\" role=\"img\"><rect x=\"0\" y=\"0\" width=\"").Append(width).Append("\" height=\"").Append(height).Append("\" fill=\"#fafafa\"/><polyline fill=\"none\" stroke=\"")
            .Append(CurrentColor).Append("\" stroke-width=\"2\" points=\"");
        var step = values.Length > 1 ? (width - 20.0) / (values.Length - 1) : 0;
        var points = new List<(double X, double Y)>();
        for (var i = 0; i < values.Length; i++)
        {
            var y = height - 10 - ((double.IsFinite(values[i]) ? values[i] - lo : 0) / (hi - lo) * (height - 20));
            points.Add((10 + (i * step), y));
            html.Append(F(10 + (i * step))).Append(',').Append(F(y)).Append(' ');
        }

        html.Append("\"/>");
        for (var i = 0; i < points.Count; i++)
        {
            html.Append("<circle cx=\"").Append(F(points[i].X)).Append("\" cy=\"").Append(F(points[i].Y)).Append("\" r=\"3\" fill=\"").Append(ReferenceColor)
                .Append("\"><title>window ").Append(E(labels[i])).Append(": ").Append(F(values[i])).Append("</title></circle>");
        }

        html.Append("</svg>");
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
