using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Proxy;

/// <summary>The gateway's own error answers: <c>{"error": "..."}</c> for REST, a trailers-only gRPC status for gRPC.</summary>
internal static class GatewayErrors
{
    public const int GrpcInvalidArgument = 3;
    public const int GrpcDeadlineExceeded = 4;
    public const int GrpcNotFound = 5;
    public const int GrpcResourceExhausted = 8;
    public const int GrpcUnimplemented = 12;
    public const int GrpcUnavailable = 14;

    /// <summary>Like the server's answers: quotes and apostrophes in messages stay readable.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Triton's message for a model it cannot serve (HTTP 400 / gRPC INVALID_ARGUMENT), the same text the server
    /// answers with, so a client cannot tell whether the gateway or the server refused the name.
    /// </summary>
    public static string UnknownModel(string model) => $"Request for unknown model: '{model}' is not found";

    public static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    public static async Task WriteAsync(HttpContext context, int httpStatus, int grpcStatus, string message, TimeSpan? retryAfter = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Headers.Clear();
        if (retryAfter is { } after)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (IsGrpc(context))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = grpcStatus.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return;
        }

        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(message.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
