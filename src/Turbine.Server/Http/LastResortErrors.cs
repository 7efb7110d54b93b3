using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Http;

/// <summary>
/// The outermost REST middleware: an exception that escapes an endpoint becomes a JSON <c>{"error": ...}</c>
/// answer instead of an empty 500. Malformed input the framework or a parser reports by throwing (bad chunked framing,
/// bad JSON, text that is not UTF-8, corrupt compressed data) is the client's fault: its 4xx and one information
/// line, no stack trace. Anything else is a 500 with a generic message and one error line with the exception.
/// gRPC calls are left to gRPC's own error handling.
/// </summary>
internal sealed class LastResortErrors(ILogger logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception) when (IsGrpc(context))
        {
            throw;
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away: there is no one to answer.
        }
        catch (Exception e) when (ClientError(e) is { } status)
        {
            HttpFrontEndLog.Malformed(logger, context.Request.Method, context.Request.Path, status, e.Message);
            await TryWriteAsync(context, status, $"malformed request: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            HttpFrontEndLog.Unhandled(logger, context.Request.Method, context.Request.Path, e);
            await TryWriteAsync(context, StatusCodes.Status500InternalServerError,
                $"internal error while handling {context.Request.Method} {context.Request.Path}").ConfigureAwait(false);
        }
    }

    /// <summary>The 4xx status for an exception that reports bad input, or null for anything else.</summary>
    internal static int? ClientError(Exception e) => e switch
    {
        BadHttpRequestException bad => bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest,
        JsonException or DecoderFallbackException or InvalidDataException => StatusCodes.Status400BadRequest,

        // System.Text.Json reports text it cannot decode (a lone surrogate escape in a string or property name) this way.
        InvalidOperationException when e.TargetSite?.DeclaringType?.Namespace?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true
            => StatusCodes.Status400BadRequest,
        _ => null,
    };

    private static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static async Task TryWriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        try
        {
            context.Response.Clear();
            await HttpErrors.WriteAsync(context, status, message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is already broken; nothing more can be said on it.
        }
    }
}
