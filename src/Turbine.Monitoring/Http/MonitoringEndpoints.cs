using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Reports;

namespace Turbine.Monitoring.Http;

/// <summary>
/// The monitoring HTTP API (docs/monitoring.md): feedback (one label, a JSON batch, or a CSV file <c>id,label</c>),
/// the latest report as JSON (what the dashboard reads), the HTML report, and the Prometheus text.
/// </summary>
public static class MonitoringEndpoints
{
    /// <summary>Largest feedback body accepted, in bytes (checked before it is read).</summary>
    public const long MaxFeedbackBytes = 16L << 20;

    /// <summary>Labels accepted in one request at most.</summary>
    public const int MaxFeedbackEntries = 100_000;

    public static IEndpointRouteBuilder MapTurbineMonitoring(this IEndpointRouteBuilder routes, MonitoringService service)
    {
        routes.MapPost("/v2/models/{model}/feedback", (string model, HttpRequest request, CancellationToken ct) => FeedbackAsync(service, model, request, ct));
        routes.MapGet("/v2/models/{model}/monitoring", (string model, long? version) => Report(service, model, version));
        routes.MapGet("/v2/models/{model}/monitoring/report.html", (string model, long? version) => Html(service, model, version));
        routes.MapGet("/v2/monitoring/metrics", () => Results.Text(MonitoringMetrics.Render(service), "text/plain; version=0.0.4"));
        routes.MapGet(MonitoringSummary.Path, (string model, HttpRequest request) => service.Find(model) is { } monitor
            ? Results.Json(MonitoringSummary.Build(monitor, model, request), MonitoringJson.Options)
            : Error(404, $"model '{model}' is not monitored"));
        return routes;
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static IResult Report(MonitoringService service, string model, long? version)
    {
        if (service.Find(model) is not { } monitor)
        {
            return Error(404, $"model '{model}' is not monitored");
        }

        var windows = monitor.Windows(version);
        var body = new
        {
            model,
            version,
            latest = monitor.Latest(version),
            open = windows.Where(w => w.End is null).Select(w => new { w.Id, w.Version, w.Start, w.Rows }).ToArray(),
            windows = windows.Where(w => w.End is not null).Select(w => new
            {
                w.Id,
                w.Version,
                w.Start,
                w.End,
                w.Rows,
                datasetDrift = w.Drift?.DatasetDrift,
                driftShare = w.Drift?.Share,
                drifted = w.Drift?.Drifted,
                w.Performance,
            }).ToArray(),
            unknownFeatures = monitor.UnknownFeatures,
            unknownFeedback = monitor.UnknownFeedback,
            observedRows = monitor.ObservedRows,
            droppedObservations = service.DroppedCount,
        };
        return Results.Json(body, MonitoringJson.Options);
    }

    private static IResult Html(MonitoringService service, string model, long? version)
    {
        if (service.Find(model) is not { } monitor)
        {
            return Error(404, $"model '{model}' is not monitored");
        }

        var latest = monitor.Latest(version);
        if (latest?.Drift is not { } drift)
        {
            return Error(404, $"model '{model}' has no closed monitoring window yet");
        }

        var html = HtmlReport.Render($"{model}:{latest.Version} window {latest.Id}", drift, monitor.Windows(version), service.Time.GetUtcNow());
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<IResult> FeedbackAsync(MonitoringService service, string model, HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > MaxFeedbackBytes)
        {
            return Error(413, $"the feedback body is {request.ContentLength} bytes, more than the limit of {MaxFeedbackBytes}");
        }

        if (service.Find(model) is null)
        {
            return Error(404, $"model '{model}' is not monitored; configure monitoring before sending feedback");
        }

        List<(string Id, double[] Labels)> entries;
        try
        {
            using var limited = new LimitedStream(request.Body, MaxFeedbackBytes);
            entries = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true
                ? await ReadCsvAsync(limited, ct).ConfigureAwait(false)
                : ReadJson(await JsonNode.ParseAsync(limited, cancellationToken: ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException or InvalidOperationException)
        {
            return Error(400, $"feedback: {e.Message}");
        }

        if (entries.Count > MaxFeedbackEntries)
        {
            return Error(400, $"feedback: {entries.Count} labels in one request, more than the limit of {MaxFeedbackEntries}");
        }

        var counts = Enum.GetValues<FeedbackResult>().ToDictionary(r => r, _ => 0);
        foreach (var (id, labels) in entries)
        {
            counts[service.Feedback(model, id, labels)]++;
        }

        return Results.Json(new
        {
            joined = counts[FeedbackResult.Joined],
            unknown = counts[FeedbackResult.UnknownId],
            mismatched = counts[FeedbackResult.RowMismatch],
            duplicate = counts[FeedbackResult.Duplicate],
        });
    }

    /// <summary><c>{"id","label"|"labels"}</c>, an array of those, or <c>{"feedback":[…]}</c>.</summary>
    private static List<(string, double[])> ReadJson(JsonNode? node)
    {
        var items = node switch
        {
            JsonArray array => array,
            JsonObject o when o["feedback"] is JsonArray array => array,
            JsonObject o => new JsonArray(o.DeepClone()),
            _ => throw new FormatException("expected {\"id\":\"…\",\"label\":…}, an array of them, or {\"feedback\":[…]}"),
        };
        var entries = new List<(string, double[])>(items.Count);
        foreach (var item in items)
        {
            if (item is not JsonObject o || o["id"] is not JsonValue idValue || idValue.GetValueKind() != JsonValueKind.String)
            {
                throw new FormatException("each feedback entry needs a string \"id\" (the inference request id)");
            }

            double[] labels = o["labels"] is JsonArray many
                ? many.Select(Label).ToArray()
                : o["label"] is { } one ? [Label(one)] : throw new FormatException($"feedback for '{(string)idValue!}' has no \"label\" or \"labels\"");
            entries.Add(((string)idValue!, labels));
        }

        return entries;
    }

    private static double Label(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.Number ? (double)v
        : node is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? ((bool)b ? 1 : 0)
        : throw new FormatException($"a label must be a number or a boolean, got {node?.ToJsonString() ?? "null"}");

    /// <summary>CSV with a header naming <c>id</c> and <c>label</c> columns.</summary>
    private static async Task<List<(string, double[])>> ReadCsvAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        var table = Data.TableReader.ReadCsv(new StringReader(text), Data.TableLimits.Default with { MaxRows = MaxFeedbackEntries });
        var id = table.Find("id") ?? table.Find("request_id") ?? throw new FormatException("the CSV needs an 'id' (or 'request_id') column");
        var label = table.Find("label") ?? throw new FormatException("the CSV needs a 'label' column");
        if (!label.IsNumeric)
        {
            throw new FormatException("the CSV 'label' column must hold numbers");
        }

        var ids = id.Texts ?? id.Numbers!.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray();
        return ids.Select((x, i) => (x ?? "", new[] { label.Numbers![i] })).ToList();
    }
}
