using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Turbine.Gateway.Configuration;
using Turbine.Client;
using Turbine.Gateway.Proxy;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Transforms;

/// <summary>
/// Header injection (global and per model) and KServe v1: <c>POST /v1/models/{m}:predict</c> is rewritten into a v2
/// infer request before the proxy and its answer back into <c>{"predictions": [...]}</c>; <c>GET /v1/models/{m}</c>
/// becomes the v2 readiness call and answers <c>{"name": m, "ready": bool}</c>; <c>GET /v1/models</c> lists the models
/// the gateway routes (<c>{"models": [...]}</c>); <c>POST /v1/models/{m}:explain</c> is forwarded to the server's <c>/v2/models/{m}/explain</c>.
/// </summary>
internal sealed partial class TransformMiddleware(RequestDelegate next, IGatewayConfigSource config, IServiceProvider services)
{
    /// <summary>Largest v1 body accepted, and largest server answer translated back (both are held in memory whole).</summary>
    public const long MaxV1BodyBytes = 64L << 20;

    private readonly IModelMetadataSource? _metadata = services.GetService<IModelMetadataSource>();
    private readonly RequestBufferBudget _budget = services.GetRequiredService<RequestBufferBudget>();

    /// <summary>The KServe v1 calls the gateway translates.</summary>
    internal enum V1Call
    {
        Ready,
        Predict,
        Explain,
        List,
    }

    private static readonly TransformConfig NoTransforms = new(); // no section: nothing to do (made once, not per request)

    public Task InvokeAsync(HttpContext context)
    {
        var section = config.Current.Transforms ?? NoTransforms;
        var info = EdgeRequestInfo.Get(context);
        HeaderRules.ApplyAll(context, section, info.Model);
        if (section.KserveV1 && TryParseV1(context.Request.Path, out var model, out var call))
        {
            info.Protocol = "v1";
            return call switch
            {
                V1Call.Predict => PredictAsync(context, model),
                V1Call.Explain => ExplainAsync(context, model),
                V1Call.List => ListAsync(context),
                _ => ReadyAsync(context, model),
            };
        }

        return next(context);
    }

    /// <summary><c>/v1/models</c> (list), <c>/v1/models/{m}:predict</c>, <c>/v1/models/{m}:explain</c> or <c>/v1/models/{m}</c> (readiness).</summary>
    internal static bool TryParseV1(PathString path, out string model, out V1Call call)
    {
        model = "";
        call = V1Call.Ready;
        var value = path.Value;
        if (value is "/v1/models" or "/v1/models/")
        {
            call = V1Call.List;
            return true;
        }

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
            call = V1Call.Predict;
        }
        else if (rest.EndsWith(":explain", StringComparison.Ordinal))
        {
            model = rest[..^":explain".Length];
            call = V1Call.Explain;
        }
        else if (rest.Contains(':', StringComparison.Ordinal))
        {
            return false; // other verbs are not KServe v1
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

        var translated = await TranslateRequestAsync(context, model).ConfigureAwait(false);
        if (!translated.IsOk)
        {
            await EdgeErrors.WriteAsync(context, translated.Error.Status, translated.Error.Message).ConfigureAwait(false);
            return;
        }

        var (v2Body, headerLength, instances) = translated.Value;

        var request = context.Request;
        request.Path = $"/v2/models/{Uri.EscapeDataString(model)}/infer";
        request.Body = new MemoryStream(v2Body, writable: false);
        request.ContentLength = v2Body.Length;
        request.Headers.Remove(HeaderNames.AcceptEncoding);
        request.Headers.Remove(HeaderNames.ContentEncoding);
        if (headerLength is { } header)
        {
            // {"b64": ...} values travel as binary tensor data after the JSON header.
            request.ContentType = "application/octet-stream";
            request.Headers["Inference-Header-Content-Length"] = header.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            request.ContentType = "application/json";
            request.Headers.Remove("Inference-Header-Content-Length");
        }

        var (status, answer) = await ForwardBufferedAsync(context).ConfigureAwait(false);
        if (answer is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status502BadGateway, $"the server's answer is over the {MaxV1BodyBytes}-byte limit the gateway translates for KServe v1").ConfigureAwait(false);
            return;
        }

        if (status != StatusCodes.Status200OK)
        {
            await WriteErrorFromServerAsync(context, status, answer).ConfigureAwait(false);
            return;
        }

        V1Result<byte[]> predictions;
        try
        {
            using var document = JsonDocument.Parse(answer);
            predictions = V1ResponseTranslator.Translate(document.RootElement, instances);
        }
        catch (JsonException)
        {
            predictions = new V1Error(StatusCodes.Status502BadGateway, "the server's answer is not JSON");
        }

        if (!predictions.IsOk)
        {
            await EdgeErrors.WriteAsync(context, StatusCodes.Status502BadGateway, predictions.Error.Message).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, predictions.Value).ConfigureAwait(false);
    }

    /// <summary>The v1 body read, the model's metadata fetched and the v2 body built, held against the request-body budget.</summary>
    private async Task<V1Result<(byte[] Body, int? HeaderLength, int Instances)>> TranslateRequestAsync(HttpContext context, string model)
    {
#pragma warning disable CA2000 // the lease belongs to the request: LeaseFor registers it with Response.RegisterForDispose
        var lease = _budget.LeaseFor(context);
#pragma warning restore CA2000
        var read = await ReadJsonAsync(context, lease).ConfigureAwait(false);
        if (!read.IsOk)
        {
            return read.Error;
        }

        using var document = read.Value;
        var metadata = await MetadataAsync(context, model).ConfigureAwait(false);
        if (!metadata.IsOk)
        {
            return metadata.Error;
        }

        var translated = V1RequestTranslator.Translate(document.RootElement, metadata.Value, MaxV1BodyBytes);
        return translated.IsOk && !lease.TryGrow(translated.Value.Body.Length)
            ? new V1Error(StatusCodes.Status503ServiceUnavailable, _budget.Exhausted())
            : translated;
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
            using var document = JsonDocument.Parse(answer ?? []);
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

    /// <summary>
    /// Runs the rest of the pipeline (the proxy) with the response body captured instead of sent; the body is null
    /// when it was over <see cref="MaxV1BodyBytes"/> (the rest was dropped, never held).
    /// </summary>
    private async Task<(int Status, byte[]? Body)> ForwardBufferedAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new BoundedResponseBuffer(MaxV1BodyBytes);
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        return (context.Response.StatusCode, buffer.Overflowed ? null : buffer.ToArray());
    }

    /// <summary>The model's metadata; 400 in Triton's words for a model neither the gateway nor a server knows, 503 when none can be asked.</summary>
    private async Task<V1Result<ModelMetadataResult>> MetadataAsync(HttpContext context, string model)
    {
        try
        {
            return await _metadata!.GetAsync(model, context.RequestAborted).ConfigureAwait(false) is { } metadata
                ? metadata
                : new V1Error(StatusCodes.Status400BadRequest, Proxy.GatewayErrors.UnknownModel(model));
        }
        catch (Exception e) when (e is HttpRequestException or TurbineClientException { StatusCode: not (400 or 404) } or ModelMetadataUnavailableException)
        {
            return new V1Error(StatusCodes.Status503ServiceUnavailable, $"KServe v1 translation needs the metadata of model '{model}', and no server could be asked: {e.Message}");
        }
    }

    /// <summary>Reads the v1 body whole (up to <see cref="MaxV1BodyBytes"/>), holding what arrives against the gateway's request-body budget.</summary>
    private async Task<V1Result<JsonDocument>> ReadJsonAsync(HttpContext context, BufferLease lease)
    {
        if (context.Request.ContentLength > MaxV1BodyBytes)
        {
            return new V1Error(StatusCodes.Status413PayloadTooLarge, $"request body of {context.Request.ContentLength} bytes is over the {MaxV1BodyBytes}-byte limit for KServe v1 requests");
        }

        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        long reserved = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (copy.Length + read > MaxV1BodyBytes)
            {
                return new V1Error(StatusCodes.Status413PayloadTooLarge, $"request body is over the {MaxV1BodyBytes}-byte limit for KServe v1 requests");
            }

            if (copy.Length + read > reserved)
            {
                var grow = Math.Max(read, Math.Min(reserved, 1L << 20));
                if (!lease.TryGrow(grow))
                {
                    return new V1Error(StatusCodes.Status503ServiceUnavailable, _budget.Exhausted());
                }

                reserved += grow;
            }

            copy.Write(chunk.AsSpan(0, read));
        }

        if (copy.Length == 0)
        {
            return new V1Error(StatusCodes.Status400BadRequest, "empty body: expected {\"instances\": [...]}");
        }

        try
        {
            return JsonDocument.Parse(copy.GetBuffer().AsMemory(0, (int)copy.Length));
        }
        catch (JsonException e)
        {
            return new V1Error(StatusCodes.Status400BadRequest, $"invalid JSON body: {e.Message}");
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        ResetBodyHeaders(context);
        return EdgeErrors.WriteAsync(context, status, message);
    }

    private static Task WriteErrorFromServerAsync(HttpContext context, int status, byte[]? answer)
    {
        string message;
        try
        {
            using var document = JsonDocument.Parse(answer ?? []);
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
