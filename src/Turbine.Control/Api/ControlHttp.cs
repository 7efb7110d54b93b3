using Microsoft.AspNetCore.Http;
using Turbine.Control.Storage;

namespace Turbine.Control.Api;

/// <summary>JSON answers and the caller of a request.</summary>
internal static class ControlHttp
{
    private const string CallerKey = "turbine.control.caller";

    public const string Realm = "turbine-control";

    public static ControlCaller GetCaller(this HttpContext context) =>
        context.Items[CallerKey] as ControlCaller ?? throw new InvalidOperationException("the request was not authenticated");

    public static void SetCaller(this HttpContext context, ControlCaller caller) => context.Items[CallerKey] = caller;

    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, ControlJson.Options, statusCode: statusCode);

    public static IResult Error(int statusCode, string code, string message, IReadOnlyList<SpecDiagnosticResponse>? diagnostics = null) =>
        Results.Json(new ControlErrorResponse(message, code, diagnostics), ControlJson.Options, statusCode: statusCode);

    public static IResult Error(ControlError error)
    {
        var (status, code) = Map(error.Kind);
        return Error(status, code, error.Message);
    }

    public static (int Status, string Code) Map(ControlErrorKind kind) => kind switch
    {
        ControlErrorKind.Invalid => (StatusCodes.Status400BadRequest, "invalid"),
        ControlErrorKind.NotFound => (StatusCodes.Status404NotFound, "not_found"),
        ControlErrorKind.Conflict => (StatusCodes.Status409Conflict, "conflict"),
        ControlErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "unavailable"),
        _ => (StatusCodes.Status500InternalServerError, "corrupt"),
    };

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string code, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new ControlErrorResponse(message, code), ControlJson.Options, context.RequestAborted);
    }

    /// <summary>The 401 answer, with the <c>WWW-Authenticate</c> challenge RFC 6750 asks for.</summary>
    public static Task WriteUnauthenticatedAsync(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm}\", error=\"invalid_token\"";
        return WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthenticated", message);
    }

    /// <summary>The 403 answer for a token whose scope or deployment pattern does not cover the call.</summary>
    public static IResult Forbidden(string message) =>
        new ForbiddenResult(message);

    private sealed class ForbiddenResult(string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm}\", error=\"insufficient_scope\"";
            return WriteErrorAsync(httpContext, StatusCodes.Status403Forbidden, "forbidden", message);
        }
    }
}
