using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Turbine.Cli.Bench;

/// <summary>Writes a <see cref="BenchReport"/> as a human-readable table, CSV (header + one row per level) or JSON (an array of level objects).</summary>
internal static class BenchReportWriter
{
    public const string Table = "table";
    public const string Csv = "csv";
    public const string Json = "json";

    private static readonly string[] Columns =
    [
        "mode", "level", "batch_size", "throughput_infer_per_sec", "latency_p50_us", "latency_p90_us", "latency_p95_us",
        "latency_p99_us", "latency_avg_us", "client_send_us", "client_recv_us", "requests", "errors", "windows", "stable", "note",
        "server_requests", "server_queue_us", "server_compute_input_us", "server_compute_infer_us", "server_compute_output_us",
        "server_inference_count", "server_execution_count", "server_avg_batch_size", "server_batch_sizes",
    ];

    public static string Write(BenchReport report, string format) => format switch
    {
        Csv => WriteCsv(report),
        Json => WriteJson(report),
        _ => WriteTable(report),
    };

    private static string Mode(LoadMode mode) => mode == LoadMode.Concurrency ? "concurrency" : "request_rate";

    private static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Batches(ServerBreakdown s) =>
        string.Join(' ', s.BatchSizes.Select(b => $"{b.Key.ToString(CultureInfo.InvariantCulture)}:{b.Value.ToString(CultureInfo.InvariantCulture)}"));

    private static string WriteJson(BenchReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var l in report.Levels)
            {
                w.WriteStartObject();
                w.WriteString("model", report.Model);
                w.WriteString("protocol", report.Protocol);
                w.WriteString("mode", Mode(l.Mode));
                w.WriteNumber("level", l.Level);
                w.WriteNumber("batch_size", l.BatchSize);
                w.WriteNumber("throughput_infer_per_sec", Math.Round(l.Throughput, 3));
                w.WriteNumber("latency_p50_us", Math.Round(l.Latency.P50, 1));
                w.WriteNumber("latency_p90_us", Math.Round(l.Latency.P90, 1));
                w.WriteNumber("latency_p95_us", Math.Round(l.Latency.P95, 1));
                w.WriteNumber("latency_p99_us", Math.Round(l.Latency.P99, 1));
                w.WriteNumber("latency_avg_us", Math.Round(l.Latency.Average, 1));
                WriteNullable(w, "client_send_us", l.ClientSendUs);
                WriteNullable(w, "client_recv_us", l.ClientReceiveUs);
                w.WriteNumber("requests", l.Requests);
                w.WriteNumber("errors", l.Errors);
                w.WriteNumber("windows", l.Windows);
                w.WriteBoolean("stable", l.Stable);
                if (l.Note is null)
                {
                    w.WriteNull("note");
                }
                else
                {
                    w.WriteString("note", l.Note);
                }

                if (l.Server is { } s)
                {
                    w.WriteStartObject("server");
                    w.WriteNumber("requests", s.Requests);
                    w.WriteNumber("queue_us", Math.Round(s.QueueUs, 1));
                    w.WriteNumber("compute_input_us", Math.Round(s.ComputeInputUs, 1));
                    w.WriteNumber("compute_infer_us", Math.Round(s.ComputeInferUs, 1));
                    w.WriteNumber("compute_output_us", Math.Round(s.ComputeOutputUs, 1));
                    w.WriteNumber("inference_count", s.InferenceCount);
                    w.WriteNumber("execution_count", s.ExecutionCount);
                    w.WriteNumber("avg_batch_size", Math.Round(s.AverageBatchSize, 3));
                    w.WriteStartObject("batch_sizes");
                    foreach (var (size, count) in s.BatchSizes)
                    {
                        w.WriteNumber(size.ToString(CultureInfo.InvariantCulture), count);
                    }

                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("server");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 1));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string WriteCsv(BenchReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', Columns));
        foreach (var l in report.Levels)
        {
            var s = l.Server;
            string[] row =
            [
                Mode(l.Mode), F(l.Level, "0.###"), F(l.BatchSize, "0"), F(l.Throughput, "0.###"), F(l.Latency.P50), F(l.Latency.P90),
                F(l.Latency.P95), F(l.Latency.P99), F(l.Latency.Average), l.ClientSendUs is { } cs ? F(cs) : string.Empty,
                l.ClientReceiveUs is { } cr ? F(cr) : string.Empty, F(l.Requests, "0"), F(l.Errors, "0"), F(l.Windows, "0"),
                l.Stable ? "true" : "false", l.Note ?? string.Empty,
                s is null ? string.Empty : F(s.Requests, "0"), s is null ? string.Empty : F(s.QueueUs),
                s is null ? string.Empty : F(s.ComputeInputUs), s is null ? string.Empty : F(s.ComputeInferUs),
                s is null ? string.Empty : F(s.ComputeOutputUs), s is null ? string.Empty : F(s.InferenceCount, "0"),
                s is null ? string.Empty : F(s.ExecutionCount, "0"), s is null ? string.Empty : F(s.AverageBatchSize, "0.###"),
                s is null ? string.Empty : Batches(s),
            ];
            text.AppendLine(string.Join(',', row));
        }

        return text.ToString();
    }

    private static string WriteTable(BenchReport report)
    {
        var text = new StringBuilder();
        var mode = report.Levels.Count > 0 && report.Levels[0].Mode == LoadMode.RequestRate ? "rate/s" : "conc";
        text.AppendLine(CultureInfo.InvariantCulture, $"turbine bench: model {report.Model}, {report.Protocol}; latencies in µs");
        var client = new List<string[]> { new[] { mode, "infer/s", "p50", "p90", "p95", "p99", "avg", "send", "recv", "errors", "note" } };
        var server = new List<string[]> { new[] { mode, "requests", "queue", "input", "infer", "output", "avg batch", "batches (size:count)" } };
        foreach (var l in report.Levels)
        {
            var level = F(l.Level, "0.###");
            client.Add([level, F(l.Throughput), F(l.Latency.P50), F(l.Latency.P90), F(l.Latency.P95), F(l.Latency.P99), F(l.Latency.Average),
                l.ClientSendUs is { } cs ? F(cs) : "n/a", l.ClientReceiveUs is { } cr ? F(cr) : "n/a", F(l.Errors, "0"), l.Note ?? string.Empty]);
            server.Add(l.Server is { } s
                ? [level, F(s.Requests, "0"), F(s.QueueUs), F(s.ComputeInputUs), F(s.ComputeInferUs), F(s.ComputeOutputUs), F(s.AverageBatchSize, "0.00"), Batches(s)]
                : [level, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]);
        }

        text.AppendLine("client:");
        Align(text, client);
        text.AppendLine("server (per request):");
        Align(text, server);
        if (report.Interrupted)
        {
            text.AppendLine("interrupted: levels after the last shown were not measured");
        }

        return text.ToString();
    }

    private static void Align(StringBuilder text, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append("  ");
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
    }
}
