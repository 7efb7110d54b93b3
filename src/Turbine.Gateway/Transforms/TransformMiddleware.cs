using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Transforms;

/// <summary>
/// Header injection (global and per model) and KServe v1: <c>POST /v1/models/{m}:predict</c> is rewritten into a v2
/// infer request before the proxy and its answer back into <c>{"predictions": [...]}</c>; <c>GET /v1/models/{m}</c>
/// becomes the v2 readiness call and answers <c>{"name": m, "ready": bool}</c>.
/// </summary>
internal sealed class TransformMiddleware(RequestDelegate next, IGatewayConfigSource config, IServiceProvider services)
{
    /// <summary>Largest v1 body accepted (it is parsed in memory to be translated).</summary>
    public const long MaxV1BodyBytes = 64L << 20;

    private readonly IModelMetadataSource? _metadata = services.GetService<IModelMetadataSource>();

    public Task InvokeAsync(HttpContext context)
    {
        var section = config.Current.Transforms ?? new TransformConfig();
        var info = EdgeRequestInfo.Get(context);
        HeaderRules.ApplyAll(context, section, info.Model);
        if (section.KserveV1 && TryParseV1(context.Request.Path, out var model, out var predict))
        {
            info.Protocol = "v1";
            return predict ? PredictAsync(context, model) : ReadyAsync(context, model);
        }

        return next(context);
    }

    /// <summary><c>/v1/models/{m}:predict</c> (predict) or <c>/v1/models/{m}</c> (readiness).</summary>
    internal static bool TryParseV1(PathString path, out string model, out bool predict)
    {
        model = "";
        predict = false;
        var value = path.Value;
        const string prefix = "/v1/models/";
        if (value is null || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value[prefix.Length..];
        if (rest.Length == 0 || rest.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        if (rest.EndsWith(":predict", StringComparison.Ordinal))
        {
            model = rest[..^":predict".Length];
            predict = true;
        }
        else if (rest.Contains(':', StringComparison.Ordinal))
        {
            return false; // :explain and others are not translated
        }
        else
        {
            model = rest;
        }

        return model.Length > 0;
    }

    private async Task PredictAsync(HttpContext context, string model)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await EdgeErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"use POST for /v1/models/{model}:predict").ConfigureAwait(false);
            return;
        }

        if (_metadata is null)
        {
            await EdgeErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "KServe v1 translation needs model metadata, and none is available").ConfigureAwait(false);
            return;
        }

        byte[] v2Body;
        int instances;
        try
        {
            using var document = await ReadJsonAsync(context).ConfigureAwait(false);
            var metadata = await _metadata.GetAsync(model, context.RequestAborted).ConfigureAwait(false)
                ?? throw new V1Error(StatusCodes.Status404NotFound, $"model '{model}' not found");
            (v2Body, instances) = V1RequestTranslator.Translate(document.RootElement, metadata);
        }
        catch (V1Error e)
        {
            await EdgeErrors.WriteAsync(context, e.Status, e.Message).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        request.Path = $"/v2/models/{Uri.EscapeDataString(model)}/infer";
        request.Body = new MemoryStream(v2Body, writable: false);
        request.ContentLength = v2Body.Length;
        request.ContentType = "application/json";
        request.Headers.Remove(HeaderNames.AcceptEncoding);
        request.Headers.Remove(HeaderNames.ContentEncoding);

        var (status, answer) = await ForwardBufferedAsync(context).ConfigureAwait(false);
        if (status != StatusCodes.Status200OK)
        {
            await WriteErrorFromServerAsync(context, status, answer).ConfigureAwait(false);
            return;
        }

        byte[] predictions;
        try
        {
            using var document = JsonDocument.Parse(answer);
            predictions = V1ResponseTranslator.Translate(document.RootElement, instances);
        }
        catch (Exception e) when (e is JsonException or V1Error)
        {
            await EdgeErrors.WriteAsync(context, StatusCodes.Status502BadGateway, e is V1Error ? e.Message : "the server's answer is not JSON").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, predictions).ConfigureAwait(false);
    }

    private async Task ReadyAsync(HttpContext context, string model)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            await EdgeErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"use GET for /v1/models/{model}").ConfigureAwait(false);
            return;
        }

        context.Request.Path = $"/v2/models/{Uri.EscapeDataString(model)}/ready";
        context.Request.Headers.Remove(HeaderNames.AcceptEncoding);
        var (status, answer) = await ForwardBufferedAsync(context).ConfigureAwait(false);
        var ready = false;
        try
        {
            using var document = JsonDocument.Parse(answer);
            ready = status == StatusCodes.Status200OK
                && document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("ready", out var flag)
                && flag.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, EdgeErrors.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteString("name", model);
            writer.WriteBoolean("ready", ready);
            writer.WriteEndObject();
        }

        var body = buffer.WrittenSpan.ToArray();
        var answerStatus = ready ? StatusCodes.Status200OK : status == StatusCodes.Status200OK ? StatusCodes.Status503ServiceUnavailable : status;
        await WriteJsonAsync(context, answerStatus, body).ConfigureAwait(false);
    }

    /// <summary>Runs the rest of the pipeline (the proxy) with the response body captured instead of sent.</summary>
    private async Task<(int Status, byte[] Body)> ForwardBufferedAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        return (context.Response.StatusCode, buffer.ToArray());
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxV1BodyBytes)
        {
            throw new V1Error(StatusCodes.Status413PayloadTooLarge, $"request body of {context.Request.ContentLength} bytes is over the {MaxV1BodyBytes}-byte limit for KServe v1 requests");
        }

        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (copy.Length + read > MaxV1BodyBytes)
            {
                throw new V1Error(StatusCodes.Status413PayloadTooLarge, $"request body is over the {MaxV1BodyBytes}-byte limit for KServe v1 requests");
            }

            copy.Write(chunk, 0, read);
        }

        if (copy.Length == 0)
        {
            throw new V1Error(StatusCodes.Status400BadRequest, "empty body: expected {\"instances\": [...]}");
        }

        try
        {
            return JsonDocument.Parse(copy.ToArray());
        }
        catch (JsonException e)
        {
            throw new V1Error(StatusCodes.Status400BadRequest, $"invalid JSON body: {e.Message}");
        }
    }

    private static Task WriteErrorFromServerAsync(HttpContext context, int status, byte[] answer)
    {
        string message;
        try
        {
            using var document = JsonDocument.Parse(answer);
            message = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String
                    ? error.GetString()!
                    : $"the server answered {status}";
        }
        catch (JsonException)
        {
            message = $"the server answered {status}";
        }

        ResetBodyHeaders(context);
        return EdgeErrors.WriteAsync(context, status, message);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, byte[] body)
    {
        ResetBodyHeaders(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Headers the server sent about its (v2) body no longer describe the translated one.</summary>
    private static void ResetBodyHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentLength = null;
        headers.Remove(HeaderNames.ContentEncoding);
        headers.Remove("Inference-Header-Content-Length");
    }
}
