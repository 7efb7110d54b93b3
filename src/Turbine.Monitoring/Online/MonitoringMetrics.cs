using System.Globalization;
using System.Text;

namespace Turbine.Monitoring.Online;

/// <summary>
/// Prometheus text exposition of the monitoring state: the latest closed window of each monitored model version.
/// Label values are bounded: models by <see cref="MonitoringService.MaxModels"/>, features by the reference profile
/// (names it does not list never become labels), tests and issues by fixed lists, versions by the kept windows.
/// </summary>
public static class MonitoringMetrics
{
    public static string Render(MonitoringService service)
    {
        var text = new StringBuilder();
        Header(text, "turbine_drift_score", "gauge", "Score of the feature's drift test in the latest closed window (p-value for ks/chisquare/z, distance otherwise).");
        var latest = service.Models.SelectMany(m => m.LatestPerVersion().Select(w => (Monitor: m, Window: w))).ToArray();
        foreach (var (_, w) in latest)
        {
            foreach (var f in w.Drift?.Features ?? [])
            {
                if (f.Skipped is null)
                {
                    Line(text, "turbine_drift_score", f.Score, ("model", w.Model), ("version", V(w.Version)), ("feature", f.Feature), ("test", f.Test));
                }
            }
        }

        Header(text, "turbine_drift_threshold", "gauge", "Threshold the drift score is compared with.");
        foreach (var (_, w) in latest)
        {
            foreach (var f in w.Drift?.Features ?? [])
            {
                if (f.Skipped is null)
                {
                    Line(text, "turbine_drift_threshold", f.Threshold, ("model", w.Model), ("version", V(w.Version)), ("feature", f.Feature), ("test", f.Test));
                }
            }
        }

        Header(text, "turbine_drift_detected", "gauge", "1 when the feature drifted in the latest closed window; feature=\"__dataset__\" is dataset drift (share of drifted features >= the drift share).");
        foreach (var (_, w) in latest)
        {
            foreach (var f in w.Drift?.Features ?? [])
            {
                if (f.Skipped is null)
                {
                    Line(text, "turbine_drift_detected", f.Drifted ? 1 : 0, ("model", w.Model), ("version", V(w.Version)), ("feature", f.Feature));
                }
            }

            if (w.Drift is { } d)
            {
                Line(text, "turbine_drift_detected", d.DatasetDrift ? 1 : 0, ("model", w.Model), ("version", V(w.Version)), ("feature", "__dataset__"));
            }

            if (w.PredictionDrift is { Skipped: null } p)
            {
                Line(text, "turbine_drift_detected", p.Drifted ? 1 : 0, ("model", w.Model), ("version", V(w.Version)), ("feature", "__prediction__"));
            }
        }

        Header(text, "turbine_drift_share", "gauge", "Share of drifted features in the latest closed window.");
        foreach (var (_, w) in latest)
        {
            if (w.Drift is { } d)
            {
                Line(text, "turbine_drift_share", d.Share, ("model", w.Model), ("version", V(w.Version)));
            }
        }

        Header(text, "turbine_data_quality_issues", "gauge", "Data-quality issues per feature in the latest closed window (missing, nan_inf, out_of_range, unseen_category, type, shape; feature \"*\" = request-level).");
        foreach (var (_, w) in latest)
        {
            foreach (var (feature, issues) in w.Quality)
            {
                foreach (var (issue, count) in issues)
                {
                    Line(text, "turbine_data_quality_issues", count, ("model", w.Model), ("version", V(w.Version)), ("feature", feature), ("issue", issue));
                }
            }
        }

        Header(text, "turbine_model_performance", "gauge", "Performance over the labels joined to the latest closed window (accuracy, precision, recall, f1, roc_auc, mae, rmse, count).");
        foreach (var (_, w) in latest)
        {
            foreach (var (metric, value) in w.Performance)
            {
                Line(text, "turbine_model_performance", value, ("model", w.Model), ("version", V(w.Version)), ("metric", metric));
            }
        }

        Header(text, "turbine_monitoring_rows_total", "counter", "Rows observed by the monitoring tap.");
        foreach (var m in service.Models)
        {
            Line(text, "turbine_monitoring_rows_total", m.ObservedRows, ("model", m.Model));
        }

        Header(text, "turbine_feedback_unknown_total", "counter", "Labels whose request id matched no kept prediction.");
        foreach (var m in service.Models)
        {
            Line(text, "turbine_feedback_unknown_total", m.UnknownFeedback, ("model", m.Model));
        }

        Header(text, "turbine_monitoring_dropped_total", "counter", "Observations dropped because the monitoring channel was full (inference never waits).");
        Line(text, "turbine_monitoring_dropped_total", service.DroppedCount);
        return text.ToString();
    }

    private static string V(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Line(StringBuilder text, string name, double value, params (string Name, string Value)[] labels)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
