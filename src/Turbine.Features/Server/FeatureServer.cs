using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Features.Definitions;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;

namespace Turbine.Features.Server;

/// <summary>
/// Feast's feature-server HTTP API over a repository and its online store: <c>POST /get-online-features</c>,
/// <c>/push</c>, <c>/materialize</c>, <c>/materialize-incremental</c>, <c>GET /health</c>. A bad request is a 400
/// naming the problem; an unreachable online store is a 503 (counted), and the server keeps serving.
/// </summary>
public static class FeatureServer
{
    /// <summary>Largest request body read.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapFeatureServer(this IEndpointRouteBuilder endpoints, OnlineFeatureService service, FeatureMetrics metrics, TimeProvider? time = null)
    {
        var repo = service.Repo;
        endpoints.MapGet("/health", () => Results.Text("OK"));
        endpoints.MapPost("/get-online-features", (HttpContext http) => HandleAsync(http, metrics, async (root, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            var request = FeastJson.ParseOnlineRequest(root);
            var result = await service.GetAsync(request.Features, request.FeatureService, request.Entities, request.FullFeatureNames, ct).ConfigureAwait(false);
            metrics.Lookups.Add(1);
            metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return w => FeastJson.WriteOnlineResponse(w, result);
        }));
        endpoints.MapPost("/push", (HttpContext http) => HandleAsync(http, metrics, async (root, ct) =>
        {
            var name = root.TryGetProperty("push_source_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new FeatureRepoException("'push_source_name' is required");
            var to = root.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "online";
            if (to is not ("online" or "online_and_offline"))
            {
                throw new FeatureRepoException($"'to': '{to}' is not supported (Turbine's offline store is the source files; push 'online')");
            }

            var df = FeastJson.Columns(root.TryGetProperty("df", out var d) ? d : throw new FeatureRepoException("'df' is required"), "df");
            var written = await PushWriter.PushAsync(repo, service.Store, name, df, ct).ConfigureAwait(false);
            return w =>
            {
                w.WriteStartObject();
                w.WriteNumber("written", written);
                w.WriteEndObject();
            };
        }));
        endpoints.MapPost("/materialize", (HttpContext http) => HandleAsync(http, metrics, async (root, ct) =>
        {
            var start = FeastJson.ParseTime(root, root.TryGetProperty("start_ts", out _) ? "start_ts" : "start_date", required: true);
            var end = FeastJson.ParseTime(root, root.TryGetProperty("end_ts", out _) ? "end_ts" : "end_date", required: true);
            var results = await new Materializer(repo, service.Store, time).MaterializeAsync(start, end, FeastJson.StringList(root, "feature_views"), null, ct).ConfigureAwait(false);
            return w => WriteResults(w, results);
        }));
        endpoints.MapPost("/materialize-incremental", (HttpContext http) => HandleAsync(http, metrics, async (root, ct) =>
        {
            var end = FeastJson.ParseTime(root, root.TryGetProperty("end_ts", out _) ? "end_ts" : "end_date", required: true);
            var results = await new Materializer(repo, service.Store, time).MaterializeIncrementalAsync(end, FeastJson.StringList(root, "feature_views"), null, ct).ConfigureAwait(false);
            return w => WriteResults(w, results);
        }));
        return endpoints;
    }

    private static void WriteResults(Utf8JsonWriter w, IReadOnlyList<MaterializeResult> results)
    {
        w.WriteStartObject();
        w.WriteStartArray("feature_views");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("name", r.View);
            w.WriteString("start", r.Start);
            w.WriteString("end", r.End);
            w.WriteNumber("rows_read", r.RowsRead);
            w.WriteNumber("entities_written", r.EntitiesWritten);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static async Task HandleAsync(HttpContext http, FeatureMetrics metrics, Func<JsonElement, CancellationToken, Task<Action<Utf8JsonWriter>>> handle)
    {
        var ct = http.RequestAborted;
        int status;
        string error;
        try
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                throw new FeatureRepoException($"request body of {http.Request.ContentLength} bytes, more than {MaxBodyBytes}");
            }

            JsonDocument doc;
            try
            {
                doc = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ct).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new FeatureRepoException($"request body is not valid JSON: {e.Message}", e);
            }

            using (doc)
            {
                var write = await handle(doc.RootElement, ct).ConfigureAwait(false);
                http.Response.StatusCode = 200;
                http.Response.ContentType = "application/json";
                var writer = new Utf8JsonWriter(http.Response.BodyWriter);
                await using (writer.ConfigureAwait(false))
                {
                    write(writer);
                    await writer.FlushAsync(ct).ConfigureAwait(false);
                }

                return;
            }
        }
        catch (FeatureRepoException e)
        {
            metrics.BadRequests.Add(1);
            (status, error) = (400, e.Message);
        }
        catch (OnlineStoreUnavailableException e)
        {
            metrics.CountUnavailable();
            (status, error) = (503, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            (status, error) = (e.StatusCode, e.Message);
        }

        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = error }, ct).ConfigureAwait(false);
    }

    /// <summary>Starts a feature server for <paramref name="service"/> on <paramref name="url"/> (e.g. <c>http://127.0.0.1:6566</c>).</summary>
    public static async Task<WebApplication> StartAsync(OnlineFeatureService service, string url, FeatureMetrics metrics, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Services.AddRouting();
        var app = builder.Build();
        app.MapFeatureServer(service, metrics, time);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }
}
