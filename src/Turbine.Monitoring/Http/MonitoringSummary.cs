using Microsoft.AspNetCore.Http;
using Turbine.Monitoring.Online;

namespace Turbine.Monitoring.Http;

/// <summary>
/// The dashboard's Model-health document (docs/dashboard.md, "The monitoring summary") built from a monitored model's
/// latest closed window: per-feature drift with both distributions, summed data-quality counts, and the performance
/// metric of every closed window that has labels. Served at <c>GET /api/v1/monitoring/models/{model}/summary</c>, the
/// path the dashboard forwards to (<c>--dashboard-monitoring-url</c> = a monitored server's HTTP address).
/// </summary>
internal static class MonitoringSummary
{
    public const string Path = "/api/v1/monitoring/models/{model}/summary";

    public static object Build(ModelMonitor monitor, string model, HttpRequest request)
    {
        var windows = monitor.Windows(null);
        var latest = monitor.Latest(null);
        var features = latest?.Drift?.Features.Where(f => f.Skipped is null && f.Distribution is not null).Select(f => new
        {
            name = f.Feature,
            drift = new { method = f.Test, score = Finite(f.Score), threshold = f.Threshold, drifted = f.Drifted },
            reference = new { bins = f.Distribution!.Labels, counts = f.Distribution.Reference },
            current = new { bins = f.Distribution.Labels, counts = f.Distribution.Current },
        }).ToArray() ?? [];
        var quality = latest is null ? null : new
        {
            rows = latest.Rows,
            missing = Sum(latest, QualityIssues.Missing),
            outOfRange = Sum(latest, QualityIssues.OutOfRange),
            typeErrors = Sum(latest, QualityIssues.Type) + Sum(latest, QualityIssues.Shape),
            nanInf = Sum(latest, QualityIssues.NonFinite),
            unseenCategory = Sum(latest, QualityIssues.UnseenCategory),
        };
        var performance = windows.Where(w => w.End is not null && w.Performance.Count > 0).SelectMany(w => w.Performance
                .Where(p => p.Key != "count" && double.IsFinite(p.Value))
                .Select(p => new { at = w.End, metric = p.Key, value = p.Value }))
            .ToArray();
        return new
        {
            model,
            version = latest?.Version,
            window = latest is null ? null : new { from = latest.Start, to = latest.End },
            reportUrl = latest?.Drift is null ? null : $"{request.Scheme}://{request.Host}/v2/models/{Uri.EscapeDataString(model)}/monitoring/report.html",
            datasetDrift = latest?.Drift?.DatasetDrift,
            driftShare = latest?.Drift?.Share,
            features,
            quality,
            performance,
        };
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static long Sum(WindowReport window, string issue) =>
        window.Quality.Values.Sum(counts => counts.TryGetValue(issue, out var n) ? n : 0);
}
