using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Control.Api;

namespace Turbine.Control.Dashboard;

/// <summary>The Models page (registry), try-it (gateway) and Model-health (monitoring) endpoints: narrow forwards, one upstream path each.</summary>
internal sealed partial class DashboardApi
{
    private const int MaxWriteBody = 64 * 1024;

    /// <summary>The path on the monitoring service the Model-health page reads (docs/dashboard.md defines its JSON).</summary>
    internal const string MonitoringSummaryPath = "api/v1/monitoring/models/{0}/summary";

    private void MapRegistry(RouteGroupBuilder api)
    {
        api.MapGet("/models", (Func<HttpContext, Task<IResult>>)(c => RegistryAsync(c, HttpMethod.Get, "api/v1/models", null)));
        api.MapGet("/models/{name}", (string name, HttpContext c) => RegistryAsync(c, HttpMethod.Get, $"api/v1/models/{Escape(name)}", null));
        api.MapGet("/models/{name}/versions", (string name, HttpContext c) => RegistryAsync(c, HttpMethod.Get, $"api/v1/models/{Escape(name)}/versions", null));
        api.MapPost("/models/{name}/versions/{version:long}/stage", async (string name, long version, HttpContext c) =>
            await ReadBodyAsync(c, MaxWriteBody).ConfigureAwait(false) is { } body
                ? await RegistryAsync(c, HttpMethod.Post, $"api/v1/models/{Escape(name)}/versions/{version}/stage", body).ConfigureAwait(false)
                : BodyTooLarge());
        api.MapPut("/models/{name}/aliases/{alias}", async (string name, string alias, HttpContext c) =>
            await ReadBodyAsync(c, MaxWriteBody).ConfigureAwait(false) is { } body
                ? await RegistryAsync(c, HttpMethod.Put, $"api/v1/models/{Escape(name)}/aliases/{Escape(alias)}", body).ConfigureAwait(false)
                : BodyTooLarge());
    }

    private void MapTryIt(RouteGroupBuilder api)
    {
        api.MapGet("/tryit/{deployment}/{model}", (string deployment, string model, HttpContext c) => GatewayAsync(c, deployment, model, HttpMethod.Get, "", null));
        api.MapPost("/tryit/{deployment}/{model}/infer", async (string deployment, string model, HttpContext c) =>
            await ReadBodyAsync(c, options.MaxSpecBytes).ConfigureAwait(false) is { } body
                ? await GatewayAsync(c, deployment, model, HttpMethod.Post, "/infer", body).ConfigureAwait(false)
                : BodyTooLarge());
    }

    private void MapHealth(RouteGroupBuilder api) =>
        api.MapGet("/health/{model}", (string model, HttpContext c) =>
        {
            var caller = c.GetCaller();
            if (!caller.MayTouch(model))
            {
                return Task.FromResult(ControlHttp.Forbidden($"token '{caller.Name}' is limited to '{caller.Deployments}'; model '{(model.Length > 80 ? model[..80] + "…" : model)}' is outside it"));
            }

            if (options.Dashboard.MonitoringUrl is not { } monitoring)
            {
                return Task.FromResult(ControlHttp.Json(new { configured = false, message = "no monitoring service is configured (DashboardOptions.MonitoringUrl)" }));
            }

            var target = new Uri(Base(monitoring), string.Format(System.Globalization.CultureInfo.InvariantCulture, MonitoringSummaryPath, Escape(model)));
            return upstreams.ForwardAsync("monitoring service", HttpMethod.Get, target, UpstreamAuthorization(c), null, c.RequestAborted);
        });

    private Task<IResult> RegistryAsync(HttpContext context, HttpMethod method, string path, byte[]? body)
    {
        if (upstreams.Registry is not { } registry)
        {
            return Task.FromResult(ControlHttp.Error(StatusCodes.Status503ServiceUnavailable, "no_registry",
                "the control service has no registry configured (--registry-url): the Models page has nothing to show"));
        }

        return upstreams.ForwardAsync("registry", method, new Uri(Base(registry), path), UpstreamAuthorization(context), body, context.RequestAborted);
    }

    private Task<IResult> GatewayAsync(HttpContext context, string deployment, string model, HttpMethod method, string suffix, byte[]? body)
    {
        var caller = context.GetCaller();
        if (!MayTry(caller, deployment, model))
        {
            return Task.FromResult(ControlHttp.Forbidden($"token '{caller.Name}' is limited to '{caller.Deployments}'; '{(deployment == DashboardOptions.GatewayDeployment ? model : deployment)}' is outside it"));
        }

        if (!ModelsOf(deployment).Contains(model, StringComparer.Ordinal))
        {
            return Task.FromResult(ControlHttp.Error(StatusCodes.Status404NotFound, "not_found",
                $"deployment '{deployment}' does not route a model named '{(model.Length > 80 ? model[..80] + "…" : model)}'"));
        }

        if (plane()?.Gateway?.HttpAddress is not { } gateway)
        {
            return Task.FromResult(ControlHttp.Error(StatusCodes.Status503ServiceUnavailable, "unavailable", "the gateway is not started yet; try again"));
        }

        var auth = caller.FromRegistry ? context.Request.Headers.Authorization.ToString() : null;
        return upstreams.ForwardAsync("gateway", method, new Uri(Base(gateway), $"v2/models/{Escape(model)}{suffix}"), auth, body, context.RequestAborted);
    }

    private static Uri Base(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static IResult BodyTooLarge() =>
        ControlHttp.Error(StatusCodes.Status413PayloadTooLarge, "too_large", "the request body is larger than the dashboard accepts for this call");
}
