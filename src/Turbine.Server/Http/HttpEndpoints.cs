using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Core.Repository;
using Turbine.Server.Security;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Http;

/// <summary>The Open Inference Protocol REST endpoints with Triton's extensions (PROTOCOL.md's REST table).</summary>
internal static class HttpEndpoints
{
    /// <summary>Largest body of a repository index, load or unload request (a model config fits many times over).</summary>
    private const long ControlBodyMaxBytes = 64L << 20;

    public static void Map(IEndpointRouteBuilder app, InferenceEngine engine, ServerOptions options)
    {
        var budget = app.ServiceProvider.GetRequiredService<RequestBodyBudget>();
        var enricher = app.ServiceProvider.GetService<IRequestEnricher>();
        app.MapGet("/v2/health/live", ctx => Health(ctx, "live", engine.IsLive));
        app.MapGet("/v2/health/ready", ctx => Health(ctx, "ready", engine.IsReady));
        app.MapGet("/v2", ctx => JsonResults.WriteAsync(ctx, w => JsonResults.ServerMetadata(w, engine.Metadata)));

        foreach (var prefix in new[] { "/v2/models/{model}", "/v2/models/{model}/versions/{version}" })
        {
            app.MapGet(prefix, ctx => WithModel(ctx, async (model, version) =>
            {
                var result = await engine.EnsureModelLoadedAsync(model, version, ctx.RequestAborted).ConfigureAwait(false) is { } notLoaded
                    ? notLoaded
                    : engine.GetModelMetadata(model, version);
                await (result.IsOk
                    ? JsonResults.WriteAsync(ctx, w => JsonResults.ModelMetadata(w, result.Value))
                    : HttpErrors.WriteAsync(ctx, result.Error)).ConfigureAwait(false);
            }));
            app.MapGet(prefix + "/ready", ctx => WithModel(ctx, (model, version) =>
            {
                // Triton answers an unknown model or version here with its error (400 / 404), not with "not ready".
                var readiness = engine.GetModelReadiness(model, version);
                if (!readiness.IsOk)
                {
                    return HttpErrors.WriteAsync(ctx, readiness.Error);
                }

                var ready = readiness.Value;
                return JsonResults.WriteAsync(ctx, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("name", model);
                    w.WriteBoolean("ready", ready);
                    w.WriteEndObject();
                }, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            }));
            app.MapGet(prefix + "/config", ctx => WithModel(ctx, async (model, version) =>
            {
                var result = await engine.EnsureModelLoadedAsync(model, version, ctx.RequestAborted).ConfigureAwait(false) is { } notLoaded
                    ? notLoaded
                    : engine.GetModelConfig(model, version);
                await (result.IsOk
                    ? JsonResults.WriteAsync(ctx, w => JsonResults.Config(w, result.Value))
                    : HttpErrors.WriteAsync(ctx, result.Error)).ConfigureAwait(false);
            }));
            app.MapGet(prefix + "/stats", ctx => WithModel(ctx, (model, version) => Stats(ctx, engine, model, version)));
            // No closure per request on the hot path: the singletons are resolved once here, not from the request scope.
            app.MapPost(prefix + "/infer", ctx => TryModel(ctx, out var model, out var version, out var bad)
                ? InferEndpoint.HandleAsync(ctx, engine, options, model, version, budget, enricher)
                : bad!);
        }

        app.MapGet("/v2/models/stats", ctx => Stats(ctx, engine, null, null));
        app.MapPost("/v2/repository/index", RepositoryIndex);
        app.MapPost("/v2/repository/models/{model}/load", ctx => RepositoryControl(ctx, load: true)).WithMetadata(ManagementOperationAttribute.Instance);
        app.MapPost("/v2/repository/models/{model}/unload", ctx => RepositoryControl(ctx, load: false)).WithMetadata(ManagementOperationAttribute.Instance);

        async Task RepositoryIndex(HttpContext ctx)
        {
            var body = await ReadSmallJsonAsync(ctx).ConfigureAwait(false);
            if (!body.IsOk)
            {
                await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(body.Error), body.Error.Message).ConfigureAwait(false);
                return;
            }

            var ready = false;
            if (body.Value.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in body.Value.RootElement.EnumerateObject())
                {
                    if (p.Name == "ready" && p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        ready = p.Value.GetBoolean();
                    }
                    else if (p.Name != "repository_name")
                    {
                        await HttpErrors.WriteAsync(ctx, InferenceError.InvalidArgument(
                            $"repository index: unexpected field '{p.Name}' (expected 'ready': bool)")).ConfigureAwait(false);
                        return;
                    }
                }
            }

            await JsonResults.WriteAsync(ctx, w => JsonResults.Index(w, engine.GetRepositoryIndex(ready))).ConfigureAwait(false);
        }

        async Task RepositoryControl(HttpContext ctx, bool load)
        {
            var model = (string)ctx.GetRouteValue("model")!;

            // A load may carry model files (base64 in 'file:' parameters): its body is bounded like an inference body.
            var read = await RequestBody.ReadAsync(ctx.Request, load ? options.MaxRequestBodyBytes : ControlBodyMaxBytes,
                load ? "--http-max-body-bytes" : "the limit for control request bodies",
                ctx.RequestServices.GetRequiredService<RequestBodyBudget>(), ctx.RequestAborted).ConfigureAwait(false);
            if (!read.IsOk)
            {
                await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(read.Error), read.Error.Message).ConfigureAwait(false);
                return;
            }

            string? config;
            List<ModelFileOverride> files;
            bool dependents;
            using (var body = read.Value)
            {
                var parsed = RepositoryLoadRequest.Parse(body.Memory, model, load, engine.Options.FileLimits.ModelBytes);
                if (!parsed.IsOk)
                {
                    await HttpErrors.WriteAsync(ctx, parsed.Error).ConfigureAwait(false);
                    return;
                }

                (config, files) = parsed.Value;
                dependents = !load && RepositoryLoadRequest.UnloadDependents(body.Memory);
            }

            var error = load
                ? await engine.LoadModelAsync(model, config, files, ctx.RequestAborted).ConfigureAwait(false)
                : await engine.UnloadModelAsync(model, dependents, ctx.RequestAborted).ConfigureAwait(false);
            if (error is not null)
            {
                await HttpErrors.WriteAsync(ctx, error).ConfigureAwait(false);
                return;
            }

            ctx.Response.StatusCode = StatusCodes.Status200OK;
            ctx.Response.ContentLength = 0;
        }
    }

    private static Task Health(HttpContext ctx, string name, bool ok) =>
        JsonResults.WriteAsync(ctx, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean(name, ok);
            w.WriteEndObject();
        }, ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    private static Task Stats(HttpContext ctx, InferenceEngine engine, string? model, long? version)
    {
        var result = engine.GetStatistics(model, version);
        return result.IsOk
            ? JsonResults.WriteAsync(ctx, w => JsonResults.Statistics(w, result.Value))
            : HttpErrors.WriteAsync(ctx, result.Error);
    }

    private static Task WithModel(HttpContext ctx, Func<string, long?, Task> handler) =>
        TryModel(ctx, out var model, out var version, out var bad) ? handler(model, version) : bad!;

    /// <summary>
    /// Serves the infer requests <see cref="InferRoute"/> matches before routing, as the mapped infer routes do (same
    /// handler, same version check); the mapped routes stay and answer whatever the hand match leaves to routing.
    /// </summary>
    /// <param name="app">The pipeline; call right before <c>UseRouting</c>.</param>
    /// <param name="engine">The engine.</param>
    /// <param name="options">The server's settings.</param>
    public static void UseInferRoute(IApplicationBuilder app, InferenceEngine engine, ServerOptions options)
    {
        var budget = app.ApplicationServices.GetRequiredService<RequestBodyBudget>();
        var enricher = app.ApplicationServices.GetService<IRequestEnricher>();
        InferRoute.Use(app, (ctx, model, versionText) => TryVersion(ctx, versionText, out var version, out var bad)
            ? InferEndpoint.HandleAsync(ctx, engine, options, model, version, budget, enricher)
            : bad!);
    }

    /// <summary>The route's model and version; false with the error response's task when the version is not valid.</summary>
    private static bool TryModel(HttpContext ctx, out string model, out long? version, out Task? bad)
    {
        model = (string)ctx.GetRouteValue("model")!;
        return TryVersion(ctx, ctx.GetRouteValue("version") is string text ? text.AsSpan() : default, out version, out bad);
    }

    /// <summary>The version segment parsed (none when empty); false with the error response's task when it is not valid.</summary>
    private static bool TryVersion(HttpContext ctx, ReadOnlySpan<char> text, out long? version, out Task? bad)
    {
        version = null;
        bad = null;
        if (!text.IsEmpty)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                bad = HttpErrors.WriteAsync(ctx, InferenceError.InvalidArgument(
                    $"model version '{text}' is not valid: versions are positive integers"));
                return false;
            }

            version = v;
        }

        return true;
    }

    /// <summary>Reads an optional small JSON control body (empty body = empty object).</summary>
    internal static async Task<Result<JsonDocument>> ReadSmallJsonAsync(HttpContext ctx)
    {
        var read = await RequestBody.ReadAsync(ctx.Request, ControlBodyMaxBytes, "the limit for control request bodies",
            ctx.RequestServices.GetRequiredService<RequestBodyBudget>(), ctx.RequestAborted).ConfigureAwait(false);
        if (!read.IsOk)
        {
            return read.Error;
        }

        using var body = read.Value;
        if (body.Length == 0 || body.Memory.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Result<JsonDocument>.Ok(JsonDocument.Parse("{}"));
        }

        try
        {
            var doc = JsonDocument.Parse(body.Memory.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                return InferenceError.InvalidArgument("request body must be a JSON object");
            }

            return Result<JsonDocument>.Ok(doc);
        }
        catch (JsonException e)
        {
            return InferenceError.InvalidArgument($"malformed JSON body: {e.Message}");
        }
    }
}
