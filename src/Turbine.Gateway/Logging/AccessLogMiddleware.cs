using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Logging;

/// <summary>One JSON line per request (placeholder: passes through until the writer lands).</summary>
internal sealed class AccessLogMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) => next(context);
}
