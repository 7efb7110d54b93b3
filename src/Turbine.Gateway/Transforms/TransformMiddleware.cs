using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Transforms;

/// <summary>Header injection and KServe v1 translation (placeholder: passes through until they land).</summary>
internal sealed class TransformMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) => next(context);
}
