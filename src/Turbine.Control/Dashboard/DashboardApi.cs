using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Dashboard;

/// <summary>
/// The dashboard's JSON API on <c>/api/dashboard/</c> (docs/dashboard.md). It sits behind the control API's middleware:
/// a bearer token on every call, GET for a read token, anything else needs a write token (403 otherwise). The pages
/// never talk to servers, the gateway or the registry themselves: this API aggregates and forwards, so the browser
/// holds one token only. Partial files split it by page.
/// </summary>
internal sealed partial class DashboardApi(
    IControlStore store, IDeploymentController controller, DashboardSampler sampler, DashboardUpstreams upstreams, Func<ControlPlane?> plane, ControlOptions options)
{
    private const int DefaultHistory = 150;
    private const int LogLines = 30;
    private const int EventCount = 20;

    public void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/dashboard");
        api.ExcludeFromDescription();
        api.MapGet("/me", (Func<HttpContext, IResult>)Me);
        api.MapGet("/deployments", (Func<HttpContext, Task<IResult>>)ListAsync);
        api.MapGet("/deployments/{name}", (Func<string, HttpContext, Task<IResult>>)GetAsync);
        api.MapGet("/traffic", (Func<HttpContext, Task<IResult>>)TrafficAsync);
        MapRegistry(api);
        MapTryIt(api);
        MapExplain(api);
        MapHealth(api);
        MapPayloads(api);
    }

    private IResult Me(HttpContext context)
    {
        var caller = context.GetCaller();
        return ControlHttp.Json(new DashboardMe(
            caller.Name,
            caller.Scope == ControlScope.Write ? "write" : "read",
            options.Dev,
            upstreams.Registry is not null,
            options.Dashboard.MonitoringUrl is not null,
            HasPayloadSources,
            plane()?.Gateway?.HttpAddress?.ToString(),
            [.. options.Dashboard.GatewayModels.Where(caller.MayTouch)]));
    }

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        var list = new List<DashboardDeploymentSummary>();
        foreach (var row in await store.ListAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (!row.IsOk || !caller.MayTouch(row.Value!.Name))
            {
                continue;
            }

            var record = row.Value!;
            var status = controller.GetStatus(record.Name);
            list.Add(new DashboardDeploymentSummary(
                record.Name,
                status?.Phase ?? DeploymentPhase.Pending,
                status?.Message ?? "not yet seen by the reconciler",
                status?.ReadyReplicas ?? 0,
                status?.DesiredReplicas ?? record.Spec.Predictor.MinReplicas,
                status?.Stable?.Version,
                status?.Canary?.Version,
                status?.Canary?.TrafficPercent,
                status?.Rollout?.State,
                record.Spec.Predictor.Model.StorageUri.Original,
                ModelsOf(record.Name),
                sampler.Points(record.Name, 1).LastOrDefault()));
        }

        return ControlHttp.Json(new { deployments = list });
    }

    private async Task<IResult> GetAsync(string name, HttpContext context)
    {
        var caller = context.GetCaller();
        if (!caller.MayTouch(name))
        {
            return ControlHttp.Forbidden($"token '{caller.Name}' is limited to '{caller.Deployments}'; '{name}' is outside it");
        }

        var found = await store.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return ControlHttp.Error(found.Error!);
        }

        var record = found.Value!;
        var status = controller.GetStatus(name);
        var runtime = plane()?.Runtime;
        var replicas = (status?.Replicas ?? []).Select(r => new DashboardReplica(r, runtime?.LogTail(name, r.Id, LogLines) ?? [])).ToList();
        var coldStarts = (runtime?.ColdStarts.Recent(name) ?? []).Select(c => new DashboardColdStart(
            c.At, c.ColdStart.Total.TotalMilliseconds, c.ColdStart.Fetch?.TotalMilliseconds, c.ColdStart.Load?.TotalMilliseconds, c.ColdStart.Warmup?.TotalMilliseconds)).ToList();
        var events = await store.ListEventsAsync(name, EventCount, context.RequestAborted).ConfigureAwait(false);
        return ControlHttp.Json(new DashboardDeploymentDetail(
            record.Name,
            record.Generation,
            record.Paused,
            record.Yaml,
            SpecSummary.From(record.Spec),
            status,
            replicas,
            coldStarts,
            events.IsOk ? events.Value! : [],
            ModelsOf(name),
            sampler.Points(name, DefaultHistory)));
    }

    private async Task<IResult> TrafficAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        var rows = new List<DashboardTrafficRow>();
        foreach (var row in await store.ListAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (!row.IsOk || !caller.MayTouch(row.Value!.Name))
            {
                continue;
            }

            var name = row.Value!.Name;
            var status = controller.GetStatus(name);
            var points = sampler.Points(name, 60);
            rows.Add(new DashboardTrafficRow(name, ModelsOf(name), status?.Stable?.Version, status?.Canary?.Version, points.LastOrDefault(), points));
        }

        return ControlHttp.Json(new { intervalSeconds = options.Dashboard.SampleInterval.TotalSeconds, rows });
    }

    private IReadOnlyList<string> ModelsOf(string deployment) => deployment == DashboardOptions.GatewayDeployment
        ? options.Dashboard.GatewayModels
        : plane()?.TrafficPlane?.ModelNames(deployment) ?? [];

    /// <summary>Whether <paramref name="caller"/> may use try-it on <paramref name="model"/> of <paramref name="deployment"/> (a gateway model: by the model's name).</summary>
    private static bool MayTry(ControlCaller caller, string deployment, string model) =>
        deployment == DashboardOptions.GatewayDeployment ? caller.MayTouch(model) : caller.MayTouch(deployment);

    /// <summary>The Authorization header to send to the registry or monitoring for this caller (see <see cref="DashboardOptions.RegistryToken"/>).</summary>
    private string? UpstreamAuthorization(HttpContext context) =>
        context.GetCaller().FromRegistry ? context.Request.Headers.Authorization.ToString()
        : options.Dashboard.RegistryToken is { } token ? "Bearer " + token : null;

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
        }

        return buffer.ToArray();
    }
}
