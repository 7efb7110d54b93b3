using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turbine.Registry.Domain;
using Turbine.Registry.Security;

namespace Turbine.Registry.Api;

/// <summary>Reading bounded bodies and writing JSON answers.</summary>
internal static class ApiHttp
{
    private const string CallerKey = "turbine.registry.caller";

    public static Caller GetCaller(this HttpContext context) =>
        context.Items[CallerKey] as Caller ?? throw new InvalidOperationException("the request was not authenticated");

    public static void SetCaller(this HttpContext context, Caller caller) => context.Items[CallerKey] = caller;

    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, ApiJson.Options, statusCode: statusCode);

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string code, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message, code), ApiJson.Options, context.RequestAborted);
    }

    /// <summary>The <c>{"error","code"}</c> answer of an expected failure, with its status.</summary>
    public static IResult Error(RegistryError error) =>
        Results.Json(new ErrorResponse(error.Message, error.Code), ApiJson.Options, statusCode: error.StatusCode);

    public static Task WriteErrorAsync(HttpContext context, RegistryError error) =>
        WriteErrorAsync(context, error.StatusCode, error.Code, error.Message);

    /// <summary>Parses a JSON body of at most <see cref="RegistryLimits.MaxBodyBytes"/>; 400 with the parser's message otherwise.</summary>
    public static async Task<RegistryResult<T>> ReadJsonAsync<T>(HttpContext context)
        where T : class
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return body.Error;
        }

        var bytes = body.Value;
        if (bytes.Length == 0)
        {
            return RegistryError.Invalid("invalid_json", "the request needs a JSON body");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ApiJson.Options) is { } value
                ? value
                : RegistryError.Invalid("invalid_json", "the JSON body must be an object, not null");
        }
        catch (JsonException e)
        {
            return RegistryError.Invalid("invalid_json", $"the JSON body is not valid: {e.Message}");
        }
    }

    /// <summary>A UTF-8 text body (Markdown card) of at most <see cref="RegistryLimits.MaxBodyBytes"/>.</summary>
    public static async Task<RegistryResult<string>> ReadTextAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (!body.IsOk)
        {
            return body.Error;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Value);
        }
        catch (DecoderFallbackException)
        {
            return RegistryError.Invalid("invalid_metadata", "the card is not valid UTF-8 text");
        }
    }

    private static async Task<RegistryResult<byte[]>> ReadBodyAsync(HttpContext context)
    {
        const int limit = RegistryLimits.MaxBodyBytes;
        if (context.Request.ContentLength is > limit)
        {
            return TooLarge(context.Request.ContentLength.Value);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return TooLarge(buffer.Length + read);
            }

            buffer.Write(chunk.AsSpan(0, read));
        }

        return buffer.ToArray();
    }

    private static RegistryError TooLarge(long size) =>
        RegistryError.Invalid("too_large", $"the request body has {size} bytes or more; metadata and cards are limited to {RegistryLimits.MaxBodyBytes} bytes");
}
