using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Registry.Storage;
using Turbine.Protocol.Telemetry;

namespace Turbine.Registry.Telemetry;

/// <summary>
/// The registry's Prometheus metrics (<c>GET /metrics</c>): requests and their latency by method, route template
/// and status; artifact bytes uploaded and downloaded; models and versions per stage, counted in the store at scrape
/// time. Labels are bounded: the route is the endpoint's template (never the path, so model names and versions never
/// become series), unknown paths count as <c>unmatched</c>, unusual methods as <c>OTHER</c>. The text writer and the
/// histogram are Turbine.Protocol's, shared with the server and the gateway.
/// </summary>
internal sealed class RegistryMetrics(TimeProvider time)
{
    public const string Unmatched = "unmatched";

    /// <summary>Upper bounds (seconds) of the latency buckets: 1 ms to 10 s.</summary>
    public static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Method, string Route, int Code), long[]> _requests = new();
    private readonly ConcurrentDictionary<(string Method, string Route), Histogram> _latency = new();
    private long _uploadedBytes;
    private long _downloadedBytes;

    /// <summary>Outermost middleware: times every request and counts it by its route template once it has been answered.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var start = time.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var method = Method(context.Request.Method);
            var route = Route(context);
            var code = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            Interlocked.Increment(ref _requests.GetOrAdd((method, route, code), _ => new long[1])[0]);
            _latency.GetOrAdd((method, route), _ => new Histogram(LatencyBuckets)).Observe(time.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <summary>An artifact stored (its whole size, whether or not the blob already existed).</summary>
    public void Uploaded(long bytes) => Interlocked.Add(ref _uploadedBytes, bytes);

    /// <summary>An artifact sent to a client (the bytes actually written).</summary>
    public void Downloaded(long bytes) => Interlocked.Add(ref _downloadedBytes, bytes);

    public async Task<string> RenderAsync(IRegistryStore store, CancellationToken cancellationToken)
    {
        var w = new PrometheusText();
        w.Family("turbine_registry_requests_total", "counter", "Requests answered by the registry, by method, route template and status code");
        foreach (var ((method, route, code), c) in _requests.OrderBy(e => (e.Key.Route, e.Key.Method, e.Key.Code)))
        {
            w.Sample("turbine_registry_requests_total", Volatile.Read(ref c[0]), "method", method, "route", route, "code", code.ToString(CultureInfo.InvariantCulture));
        }

        const string duration = "turbine_registry_request_duration_seconds";
        w.Family(duration, "histogram", "Time from the registry receiving a request to its answer, by method and route template");
        foreach (var ((method, route), h) in _latency.OrderBy(e => (e.Key.Route, e.Key.Method)))
        {
            w.Histogram(duration, h.Snapshot(), "method", method, "route", route);
        }

        w.Family("turbine_registry_artifact_uploaded_bytes_total", "counter", "Artifact bytes received and stored (uploads that completed)");
        w.Sample("turbine_registry_artifact_uploaded_bytes_total", Interlocked.Read(ref _uploadedBytes));
        w.Family("turbine_registry_artifact_downloaded_bytes_total", "counter", "Artifact bytes sent to clients");
        w.Sample("turbine_registry_artifact_downloaded_bytes_total", Interlocked.Read(ref _downloadedBytes));

        (long Models, IReadOnlyList<(string Stage, long Versions)> VersionsByStage)? counts;
        try
        {
            counts = await store.CountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            counts = null;
        }

        w.Family("turbine_registry_store_up", "gauge", "1 when the metadata store answered the counts below at this scrape, 0 when it failed");
        w.Sample("turbine_registry_store_up", counts is null ? 0 : 1);
        w.Family("turbine_registry_models", "gauge", "Registered models");
        w.Family("turbine_registry_versions", "gauge", "Model versions by stage");
        if (counts is { } c2)
        {
            w.Sample("turbine_registry_models", c2.Models);
            foreach (var (stage, versions) in c2.VersionsByStage)
            {
                w.Sample("turbine_registry_versions", versions, "stage", stage);
            }
        }

        ProcessMetrics.Write(w);
        return w.ToString();
    }

    private static string Method(string method) =>
        HttpMethods.IsGet(method) ? "GET"
        : HttpMethods.IsPost(method) ? "POST"
        : HttpMethods.IsPut(method) ? "PUT"
        : HttpMethods.IsPatch(method) ? "PATCH"
        : HttpMethods.IsDelete(method) ? "DELETE"
        : HttpMethods.IsHead(method) ? "HEAD"
        : HttpMethods.IsOptions(method) ? "OPTIONS"
        : "OTHER";

    /// <summary>The matched endpoint's route template; the fallback (a catch-all) and no match are <see cref="Unmatched"/>.</summary>
    private static string Route(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw } && !raw.StartsWith("{*", StringComparison.Ordinal)
            ? (raw.StartsWith('/') ? raw : "/" + raw)
            : Unmatched;
}
