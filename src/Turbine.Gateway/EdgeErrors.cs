using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway;

/// <summary>
/// Error answers of the edge middleware: <c>{"error":"..."}</c> JSON for REST, a trailers-only gRPC response
/// (HTTP 200, <c>grpc-status</c>, <c>grpc-message</c>) for <c>application/grpc</c> requests.
/// </summary>
internal static class EdgeErrors
{
    public const int GrpcResourceExhausted = 8;
    public const int GrpcPermissionDenied = 7;
    public const int GrpcUnavailable = 14;
    public const int GrpcUnauthenticated = 16;
    public const int GrpcInvalidArgument = 3;

    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>gRPC status for an HTTP status the edge answers with.</summary>
    public static int GrpcStatusFor(int httpStatus) => httpStatus switch
    {
        401 => GrpcUnauthenticated,
        403 => GrpcPermissionDenied,
        429 => GrpcResourceExhausted,
        400 => GrpcInvalidArgument,
        _ => GrpcUnavailable,
    };

    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = GrpcStatusFor(status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = PercentEncode(message);
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        var body = Json(message);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Writer options for answers: quotes and non-ASCII stay readable (JSON-valid, not HTML-safe; never served as HTML).</summary>
    public static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>{"error": message}</c> as UTF-8 JSON.</summary>
    public static byte[] Json(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Percent-encoding of grpc-message: bytes outside printable ASCII and '%' become %XX of the UTF-8 bytes.</summary>
    public static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
