using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Turbine.Server.Http;

/// <summary>
/// <c>GET /v2/openapi.json</c>: an OpenAPI 3.0 document of the REST routes the server maps, built from its endpoint data
/// source when first asked (so a route cannot be mapped without appearing), with the protocol's descriptions, the
/// binary tensor extension's header and bodies, and the error shape. gRPC methods and the fallback are left out.
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/v2/openapi.json";

    private const string BinaryHeader = "Inference-Header-Content-Length";

    /// <summary>What each known route does ("METHOD pattern" → summary); a route missing here still appears, with a generic summary.</summary>
    private static readonly Dictionary<string, string> Summaries = new(StringComparer.Ordinal)
    {
        ["GET /v2/health/live"] = "Server liveness: 200 {\"live\": true} while the process serves, 503 otherwise.",
        ["GET /v2/health/ready"] = "Server readiness: 200 {\"ready\": true}, 503 while starting, stopping or (with --strict-readiness) while a model meant to load is not READY.",
        ["GET /v2"] = "Server metadata: name, version and the protocol extensions supported.",
        ["GET /v2/models/{model}"] = "Model metadata (newest ready version): inputs and outputs with datatype and shape.",
        ["GET /v2/models/{model}/versions/{version}"] = "Model metadata of one version.",
        ["GET /v2/models/{model}/ready"] = "Model readiness: 200 {\"name\", \"ready\": true} or 503.",
        ["GET /v2/models/{model}/versions/{version}/ready"] = "Readiness of one model version.",
        ["GET /v2/models/{model}/config"] = "The model's configuration as Triton's JSON ModelConfig (model configuration extension).",
        ["GET /v2/models/{model}/versions/{version}/config"] = "The configuration of one model version.",
        ["GET /v2/models/{model}/stats"] = "Inference statistics of the model's versions (statistics extension).",
        ["GET /v2/models/{model}/versions/{version}/stats"] = "Inference statistics of one model version.",
        ["GET /v2/models/stats"] = "Inference statistics of every loaded model.",
        ["POST /v2/models/{model}/infer"] = "Inference. JSON body, or the binary tensor data extension: a JSON header of " + BinaryHeader + " bytes followed by raw tensor bytes (application/octet-stream); the response uses the same layout when binary outputs are asked for.",
        ["POST /v2/models/{model}/versions/{version}/infer"] = "Inference on one model version (as POST /v2/models/{model}/infer).",
        ["POST /v2/repository/index"] = "Model repository index: every model with its versions, state and reason; body {\"ready\": bool} optional.",
        ["POST /v2/repository/models/{model}/load"] = "Load or reload a model (explicit mode; management call). Parameters: \"config\" (JSON model configuration), \"file:PATH\" (base64 file contents; requires \"config\").",
        ["POST /v2/repository/models/{model}/unload"] = "Unload a model (explicit mode; management call). Parameter \"unload_dependents\" (bool): also unload an ensemble's composing models that no other loaded ensemble uses.",
        ["GET /v2/logging"] = "Log settings (logging extension; management call).",
        ["POST /v2/logging"] = "Change log settings at run time (logging extension; management call).",
        ["POST /v2/models/{model}/explain"] = "KernelSHAP explanation of tabular instances in Alibi's JSON shape (docs/explain.md).",
        ["POST /v2/models/{model}/versions/{version}/explain"] = "KernelSHAP explanation with one model version.",
        ["POST /v2/models/{model}/feedback"] = "Ground-truth labels joined to served predictions by request id (docs/monitoring.md).",
        ["GET /v2/models/{model}/monitoring"] = "Latest monitoring report: drift, data quality, performance per window (docs/monitoring.md).",
        ["GET /v2/models/{model}/monitoring/report.html"] = "Self-contained HTML monitoring report of the latest window.",
        ["GET /v2/monitoring/metrics"] = "Monitoring metrics in Prometheus text format (also part of /metrics).",
        ["GET /v2/trace/setting"] = "Global trace settings (trace extension; management call).",
        ["POST /v2/trace/setting"] = "Change global trace settings: trace_level, trace_rate, trace_count, log_frequency (trace extension; management call).",
        ["GET /v2/models/{model}/trace/setting"] = "A model's trace settings (trace extension; management call).",
        ["POST /v2/models/{model}/trace/setting"] = "Change a model's trace settings; null clears a setting back to the global value (management call).",
        ["GET /v2/systemsharedmemory/status"] = "Every registered system shared memory region (system shared memory extension; management call).",
        ["GET /v2/systemsharedmemory/region/{name}/status"] = "One registered system shared memory region (management call).",
        ["POST /v2/systemsharedmemory/region/{name}/register"] = "Register a POSIX shared memory object: body {\"key\", \"offset\", \"byte_size\"} (management call).",
        ["POST /v2/systemsharedmemory/unregister"] = "Unregister every system shared memory region (management call).",
        ["POST /v2/systemsharedmemory/region/{name}/unregister"] = "Unregister one system shared memory region (management call).",
        ["GET /v2/cudasharedmemory/status"] = "CUDA shared memory status: always empty (Turbine has no CUDA shared memory, in either build).",
        ["GET /v2/cudasharedmemory/region/{name}/status"] = "CUDA shared memory region status: always not found (no GPU build).",
        ["POST /v2/cudasharedmemory/region/{name}/register"] = "CUDA shared memory registration: refused, GPUs not supported.",
        ["POST /v2/cudasharedmemory/unregister"] = "CUDA shared memory unregister: nothing to do (no GPU build).",
        ["POST /v2/cudasharedmemory/region/{name}/unregister"] = "CUDA shared memory region unregister: nothing to do (no GPU build).",
        ["GET " + Path] = "This document.",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        byte[]? document = null;
        app.MapGet(Path, ctx =>
        {
            // Built on first use, when every route is mapped; the routes never change after start.
            document ??= Build(ctx.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints);
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = document.Length;
            return ctx.Response.Body.WriteAsync(document).AsTask();
        });
    }

    /// <summary>The REST routes among the endpoints: (pattern, method) pairs, gRPC methods and the fallback excluded.</summary>
    public static IEnumerable<(string Pattern, string Method)> RestRoutes(IEnumerable<Endpoint> endpoints)
    {
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (pattern.Contains("**", StringComparison.Ordinal)
                || endpoint.Metadata.Any(m => m.GetType().FullName == "Grpc.AspNetCore.Server.GrpcMethodMetadata")
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods)
            {
                continue;
            }

            foreach (var method in methods.HttpMethods)
            {
                yield return (pattern, method);
            }
        }
    }

    private static byte[] Build(IEnumerable<Endpoint> endpoints)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("openapi", "3.0.3");
            w.WriteStartObject("info");
            w.WriteString("title", "Turbine inference server (Open Inference Protocol / KServe v2 REST with Triton's extensions)");
            w.WriteString("version", typeof(OpenApiDocument).Assembly.GetName().Version?.ToString() ?? "0.0.0");
            w.WriteString("description", "Generated from the routes the server maps. Management calls need the management token (Authorization: Bearer) when one is configured. Errors are {\"error\": \"message\"}.");
            w.WriteEndObject();
            w.WriteStartObject("paths");
            foreach (var group in RestRoutes(endpoints).GroupBy(r => r.Pattern).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(group.Key);
                foreach (var (pattern, method) in group.OrderBy(r => r.Method, StringComparer.Ordinal))
                {
                    WriteOperation(w, pattern, method);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("components");
            w.WriteStartObject("schemas");
            w.WriteStartObject("Error");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            w.WriteStartObject("error");
            w.WriteString("type", "string");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOperation(Utf8JsonWriter w, string pattern, string method)
    {
        var key = $"{method} {pattern}";
        w.WriteStartObject(method.ToLowerInvariant());
        w.WriteString("operationId", OperationId(method, pattern));
        w.WriteString("summary", Summaries.TryGetValue(key, out var summary) ? summary : $"{key} (see docs/protocol.md)");
        var isInfer = pattern.EndsWith("/infer", StringComparison.Ordinal);
        w.WriteStartArray("parameters");
        foreach (var name in new[] { "model", "version" }.Where(n => pattern.Contains("{" + n + "}", StringComparison.Ordinal)))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("in", "path");
            w.WriteBoolean("required", true);
            w.WriteStartObject("schema");
            w.WriteString("type", name == "version" ? "integer" : "string");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (isInfer)
        {
            w.WriteStartObject();
            w.WriteString("name", BinaryHeader);
            w.WriteString("in", "header");
            w.WriteBoolean("required", false);
            w.WriteString("description", "Binary tensor data extension: length in bytes of the JSON header that starts the body; raw tensor bytes follow it.");
            w.WriteStartObject("schema");
            w.WriteString("type", "integer");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (method == HttpMethods.Post)
        {
            w.WriteStartObject("requestBody");
            w.WriteBoolean("required", isInfer);
            w.WriteStartObject("content");
            WriteMedia(w, "application/json", null);
            if (isInfer)
            {
                WriteMedia(w, "application/octet-stream", "binary");
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartObject("responses");
        w.WriteStartObject("200");
        w.WriteString("description", "Success");
        w.WriteStartObject("content");
        WriteMedia(w, "application/json", null);
        if (isInfer)
        {
            WriteMedia(w, "application/octet-stream", "binary");
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("default");
        w.WriteString("description", "Error (400 bad request, 404 unknown route, 413 too large, 500/503 server or model not ready, 401/403 management)");
        w.WriteStartObject("content");
        w.WriteStartObject("application/json");
        w.WriteStartObject("schema");
        w.WriteString("$ref", "#/components/schemas/Error");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteMedia(Utf8JsonWriter w, string contentType, string? format)
    {
        w.WriteStartObject(contentType);
        w.WriteStartObject("schema");
        w.WriteString("type", format is null ? "object" : "string");
        if (format is not null)
        {
            w.WriteString("format", format);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string OperationId(string method, string pattern)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        foreach (var part in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var clean = part.Trim('{', '}').Replace(".", "_", StringComparison.Ordinal);
            id.Append('_').Append(clean);
        }

        return id.ToString();
    }
}
