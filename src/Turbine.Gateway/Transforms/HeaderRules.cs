using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Transforms;

/// <summary>Applies <see cref="HeaderOpsConfig"/> to a header collection: remove, then set, then append.</summary>
internal static class HeaderRules
{
    public static void Apply(IHeaderDictionary headers, HeaderOpsConfig? ops)
    {
        if (ops is null)
        {
            return;
        }

        foreach (var name in ops.Remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in ops.Set)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in ops.Append)
        {
            headers.Append(name, value);
        }
    }

    /// <summary>Request rules now; response rules when the response starts. Global rules first, then the model's.</summary>
    public static void ApplyAll(HttpContext context, TransformConfig config, string? model)
    {
        var global = config.Headers;
        HeaderRulesConfig? perModel = null;
        if (model is not null)
        {
            config.Models.TryGetValue(model, out perModel);
        }

        Apply(context.Request.Headers, global?.Request);
        Apply(context.Request.Headers, perModel?.Request);
        var globalResponse = global?.Response;
        var modelResponse = perModel?.Response;
        if ((globalResponse?.IsEmpty() ?? true) && (modelResponse?.IsEmpty() ?? true))
        {
            return;
        }

        OnStarting(context, globalResponse, modelResponse);
    }

    /// <summary>
    /// A method of its own: the lambda's closure (the context and both rule sets) would otherwise be made at the start
    /// of <see cref="ApplyAll"/>, on every request, response rules or not.
    /// </summary>
    private static void OnStarting(HttpContext context, HeaderOpsConfig? globalResponse, HeaderOpsConfig? modelResponse) =>
        context.Response.OnStarting(() =>
        {
            Apply(context.Response.Headers, globalResponse);
            Apply(context.Response.Headers, modelResponse);
            return Task.CompletedTask;
        });
}
