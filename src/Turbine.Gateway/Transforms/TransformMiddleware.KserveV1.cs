using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Turbine.Gateway.Transforms;

/// <summary>KServe v1 <c>GET /v1/models</c> and <c>:explain</c>.</summary>
internal sealed partial class TransformMiddleware
{
    /// <summary>
    /// <c>{"models": [...]}</c>: the models the gateway routes by name, and when a <c>*</c> route exists, the models
    /// ready on its pool (the repository index of one replica, through the proxy); sorted, each once, cut down to
    /// the models the caller may see.
    /// </summary>
    private async Task ListAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            await EdgeErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "use GET for /v1/models").ConfigureAwait(false);
            return;
        }

        var models = config.Current.Models;
        var names = new SortedSet<string>(models.Keys.Where(k => k != "*"), StringComparer.Ordinal);
        if (models.ContainsKey("*"))
        {
            var request = context.Request;
            var body = "{\"ready\":true}"u8.ToArray();
            request.Method = HttpMethods.Post;
            request.Path = "/v2/repository/index";
            request.Body = new MemoryStream(body, writable: false);
            request.ContentLength = body.Length;
            request.ContentType = "application/json";
            request.Headers.Remove(HeaderNames.AcceptEncoding);
            context.Features.Set<IHttpRequestBodyDetectionFeature>(WithBody.Instance); // a GET arrived without one
            var (status, answer) = await ForwardBufferedAsync(context).ConfigureAwait(false);
            request.Method = HttpMethods.Get;
            if (answer is null)
            {
                await WriteErrorAsync(context, StatusCodes.Status502BadGateway, $"the server's repository index is over the {MaxV1BodyBytes}-byte limit the gateway translates for KServe v1").ConfigureAwait(false);
                return;
            }

            if (status != StatusCodes.Status200OK)
            {
                await WriteErrorFromServerAsync(context, status, answer).ConfigureAwait(false);
                return;
            }

            if (!AddIndexNames(answer, names))
            {
                await WriteErrorAsync(context, StatusCodes.Status502BadGateway, "the server's repository index is not a JSON array of {\"name\": ...} entries").ConfigureAwait(false);
                return;
            }
        }

        var visible = context.Features.Get<Auth.ModelVisibility>()?.Visible;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, EdgeErrors.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("models");
            foreach (var name in names)
            {
                if (visible is null || visible(name))
                {
                    writer.WriteStringValue(name);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, buffer.WrittenSpan.ToArray()).ConfigureAwait(false);
    }

    private static bool AddIndexNames(byte[] answer, SortedSet<string> names)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                names.Add(name.GetString()!);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// KServe's explain verb: authorised like predict, then forwarded as <c>POST /v2/models/{m}/explain</c> (the server's
    /// KernelSHAP route takes the same <c>{"instances": [[…]]}</c> body and answers in Alibi's shape; docs/explain.md).
    /// </summary>
    private Task ExplainAsync(HttpContext context, string model)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            return EdgeErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"use POST for /v1/models/{model}:explain");
        }

        context.Request.Path = $"/v2/models/{Uri.EscapeDataString(model)}/explain";
        return next(context);
    }

    /// <summary>Tells the forwarder the rewritten request has a body (Kestrel said no for the original GET).</summary>
    private sealed class WithBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly WithBody Instance = new();

        public bool CanHaveBody => true;
    }
}
