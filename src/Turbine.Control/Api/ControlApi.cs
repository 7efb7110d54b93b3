using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Api;

/// <summary>
/// The control API of docs/control.md on <c>/api/v1</c>: apply, list, get, delete, events and the rollout commands.
/// The desired state goes to <see cref="IControlStore"/>; the <see cref="IDeploymentController"/> is nudged and asked for
/// status and rollouts. Partial files split it by concern.
/// </summary>
internal sealed partial class ControlApi(IControlStore store, IDeploymentController controller, ControlOptions options, ILogger logger)
{
    private const int DefaultEventLimit = 50;

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => ControlHttp.Json(new ControlHealthResponse("ok"))).Produces<ControlHealthResponse>()
            .WithSummary("Liveness: the process answers");
        app.MapGet("/readyz", (Func<HttpContext, Task<IResult>>)ReadyAsync).Produces<ControlHealthResponse>().Produces<ControlHealthResponse>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: the control store answers");
        var api = app.MapGroup("/api/v1/deployments");
        api.MapGet("", (Func<HttpContext, Task<IResult>>)ListAsync).Produces<DeploymentListResponse>().WithSummary("Every deployment with a status summary");
        api.MapPost("", (Func<HttpContext, Task<IResult>>)(context => ApplyAsync(null, context)))
            .WithMetadata(SpecRequestBody.Instance)
            .Produces<ApplyResponse>().Produces<ApplyResponse>(StatusCodes.Status201Created).Produces<ControlErrorResponse>(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Apply an InferenceService (the name from metadata.name)");
        api.MapPut("/{name}", (string name, HttpContext context) => ApplyAsync(name, context))
            .WithMetadata(SpecRequestBody.Instance)
            .Produces<ApplyResponse>().Produces<ApplyResponse>(StatusCodes.Status201Created).Produces<ControlErrorResponse>(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Apply an InferenceService named NAME (metadata.name must equal it)");
        api.MapGet("/{name}", GetAsync).Produces<DeploymentResponse>().Produces<ControlErrorResponse>(StatusCodes.Status404NotFound)
            .WithSummary("A deployment: the YAML as applied, its generation and full status");
        api.MapDelete("/{name}", DeleteAsync).Produces(StatusCodes.Status204NoContent).Produces<ControlErrorResponse>(StatusCodes.Status404NotFound)
            .WithSummary("Delete a deployment; the reconciler drains and stops its replicas");
        api.MapGet("/{name}/events", EventsAsync).Produces<EventListResponse>().WithSummary("The newest events (limit 1..1000, default 50), newest first");
        api.MapPost("/{name}/rollout/promote", (string name, HttpContext context) =>
            RolloutAsync(name, context, "RolloutPromoted", "promoted the canary", ct => controller.PromoteAsync(name, ct), null))
            .Produces<DeploymentStatus>().Produces<ControlErrorResponse>(StatusCodes.Status409Conflict).WithSummary("Give the canary all traffic now");
        api.MapPost("/{name}/rollout/rollback", (string name, HttpContext context) =>
            RolloutAsync(name, context, "RolloutRolledBack", "rolled the canary back", ct => controller.RollbackAsync(name, ct), null))
            .Produces<DeploymentStatus>().Produces<ControlErrorResponse>(StatusCodes.Status409Conflict).WithSummary("Remove the canary; the stable revision takes all traffic");
        api.MapPost("/{name}/rollout/pause", (string name, HttpContext context) =>
            RolloutAsync(name, context, "RolloutPaused", "paused the rollout", ct => controller.SetPausedAsync(name, true, ct), true))
            .Produces<DeploymentStatus>().Produces<ControlErrorResponse>(StatusCodes.Status409Conflict).WithSummary("Hold the current split; no analysis decides");
        api.MapPost("/{name}/rollout/resume", (string name, HttpContext context) =>
            RolloutAsync(name, context, "RolloutResumed", "resumed the rollout", ct => controller.SetPausedAsync(name, false, ct), false))
            .Produces<DeploymentStatus>().Produces<ControlErrorResponse>(StatusCodes.Status409Conflict).WithSummary("Resume a paused rollout");
    }

    private async Task<IResult> ReadyAsync(HttpContext context)
    {
        // A name that cannot exist: the store runs a query and answers NotFound when it is healthy.
        var probe = await store.GetAsync("readyz-probe-0", context.RequestAborted).ConfigureAwait(false);
        return probe.IsOk || probe.Error!.Kind == ControlErrorKind.NotFound
            ? ControlHttp.Json(new ControlHealthResponse("ok"))
            : ControlHttp.Json(new ControlHealthResponse("unavailable"), StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Null when <paramref name="name"/> is a DNS-1123 label the caller may touch; else the 400 or 403 answer.</summary>
    private static IResult? Check(string name, HttpContext context)
    {
        if (!SqliteControlStore.IsValidName(name))
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_name",
                $"'{Shorten(name)}' is not a deployment name: expected a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)");
        }

        var caller = context.GetCaller();
        return caller.MayTouch(name) ? null : ControlHttp.Forbidden($"token '{caller.Name}' is limited to '{caller.Deployments}'; '{name}' is outside it");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var caller = context.GetCaller();
        var rows = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        var deployments = new List<DeploymentSummary>();
        var unreadable = new List<ControlErrorResponse>();
        foreach (var row in rows)
        {
            if (!row.IsOk)
            {
                var (_, code) = ControlHttp.Map(row.Error!.Kind);
                unreadable.Add(new ControlErrorResponse(row.Error.Message, code));
                continue;
            }

            var record = row.Value!;
            if (caller.MayTouch(record.Name))
            {
                deployments.Add(Summarize(record, StatusOf(record)));
            }
        }

        return ControlHttp.Json(new DeploymentListResponse(deployments, unreadable));
    }

    private async Task<IResult> GetAsync(string name, HttpContext context)
    {
        if (Check(name, context) is { } refused)
        {
            return refused;
        }

        var found = await store.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return ControlHttp.Error(found.Error!);
        }

        var record = found.Value!;
        return ControlHttp.Json(new DeploymentResponse(
            record.Name, record.Generation, record.Paused, record.Yaml, SpecSummary.From(record.Spec), StatusOf(record), record.CreatedAt, record.UpdatedAt));
    }

    private async Task<IResult> DeleteAsync(string name, HttpContext context)
    {
        if (Check(name, context) is { } refused)
        {
            return refused;
        }

        if (!await store.DeleteAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            return ControlHttp.Error(StatusCodes.Status404NotFound, "not_found", $"deployment '{name}' not found");
        }

        controller.Trigger(name);
        ControlLog.Deleted(logger, name, context.GetCaller().Name);
        return Results.NoContent();
    }

    private async Task<IResult> EventsAsync(string name, HttpContext context)
    {
        if (Check(name, context) is { } refused)
        {
            return refused;
        }

        var limit = DefaultEventLimit;
        if (context.Request.Query.TryGetValue("limit", out var text)
            && (text.Count != 1 || !int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > options.MaxEventsPerRequest))
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_limit",
                $"limit must be a whole number from 1 to {options.MaxEventsPerRequest.ToString(CultureInfo.InvariantCulture)}, got '{Shorten(text.ToString())}'");
        }

        var exists = await store.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (!exists.IsOk && exists.Error!.Kind == ControlErrorKind.NotFound)
        {
            return ControlHttp.Error(exists.Error);
        }

        var events = await store.ListEventsAsync(name, limit, context.RequestAborted).ConfigureAwait(false);
        return events.IsOk ? ControlHttp.Json(new EventListResponse(events.Value!)) : ControlHttp.Error(events.Error!);
    }

    private async Task<IResult> RolloutAsync(
        string name, HttpContext context, string reason, string what, Func<CancellationToken, Task<ControlResult<DeploymentStatus>>> command, bool? paused)
    {
        if (Check(name, context) is { } refused)
        {
            return refused;
        }

        var found = await store.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (!found.IsOk)
        {
            return ControlHttp.Error(found.Error!);
        }

        var result = await command(context.RequestAborted).ConfigureAwait(false);
        if (!result.IsOk)
        {
            return ControlHttp.Error(result.Error!);
        }

        if (paused is { } value)
        {
            // Kept in the store too, so a restarted controller still holds the split.
            var stored = await store.SetPausedAsync(name, value, context.RequestAborted).ConfigureAwait(false);
            if (!stored.IsOk)
            {
                return ControlHttp.Error(stored.Error!);
            }
        }

        await store.AppendEventAsync(name, ControlEventKind.Normal, reason, $"'{context.GetCaller().Name}' {what}", context.RequestAborted).ConfigureAwait(false);
        return ControlHttp.Json(result.Value!);
    }

    private DeploymentStatus StatusOf(DeploymentRecord record) =>
        controller.GetStatus(record.Name) ?? new DeploymentStatus(
            record.Name, 0, DeploymentPhase.Pending, "not yet seen by the reconciler", record.Spec.Predictor.MinReplicas, 0, [], null, null, null, null, record.Paused, record.UpdatedAt);

    private static DeploymentSummary Summarize(DeploymentRecord record, DeploymentStatus status) => new(
        record.Name,
        record.Generation,
        record.Paused,
        status.Phase,
        status.ReadyReplicas,
        status.DesiredReplicas,
        status.Stable?.Version,
        status.Canary?.Version,
        status.Canary?.TrafficPercent,
        record.Spec.Predictor.Model.StorageUri.Original,
        record.CreatedAt,
        record.UpdatedAt);
}
