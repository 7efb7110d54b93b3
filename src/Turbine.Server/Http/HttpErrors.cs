using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turbine.Core;

namespace Turbine.Server.Http;

/// <summary>Maps engine status codes to HTTP (Triton's mapping) and writes <c>{"error": "..."}</c> bodies.</summary>
internal static class HttpErrors
{
    public static int ToHttpStatus(StatusCode code) => code switch
    {
        StatusCode.Ok => StatusCodes.Status200OK,
        StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.Unsupported => StatusCodes.Status501NotImplemented,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.Cancelled => StatusCodes.Status400BadRequest,
        StatusCode.AlreadyExists => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static Task WriteAsync(HttpContext context, InferenceError error) =>
        WriteAsync(context, ToHttpStatus(error.Code), error.Message);

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(message.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, JsonResults.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
