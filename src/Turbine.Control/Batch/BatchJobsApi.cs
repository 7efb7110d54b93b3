using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Turbine.Control.Api;

namespace Turbine.Control.Batch;

/// <summary>
/// <c>/api/v1/batch/jobs</c> (docs/batch.md): submit (write token), list and get with progress (read token), cancel or
/// forget (write token). Authentication is the control API's middleware; a job is visible to a caller whose
/// deployment pattern covers its deployment (or its model's name).
/// </summary>
public static class BatchJobsApi
{
    /// <summary>Largest job body accepted.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// Registers the job manager. In-process jobs need an <see cref="IBatchModelOpener"/> registered by the caller;
    /// deployment jobs use an <see cref="IBatchDeployments"/> if one is registered, else the <see cref="ControlPlane"/>'s gateway.
    /// </summary>
    /// <param name="services">The control host's services.</param>
    /// <param name="options">The job API's settings; with no folder nothing is registered.</param>
    public static void Register(IServiceCollection services, BatchJobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Folder is null)
        {
            return;
        }

        services.TryAddSingleton(sp => new BatchJobManager(
            options,
            sp.GetService<IBatchModelOpener>(),
            sp.GetService<IBatchDeployments>() ?? (sp.GetService<ControlPlane>() is { } plane ? new ControlPlaneDeployments(plane) : null),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Control.Batch")));
    }

    /// <summary>Maps the endpoints (answering 404 "not enabled" when no manager was registered).</summary>
    /// <param name="app">The control host.</param>
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var manager = app.ServiceProvider.GetService<BatchJobManager>();
        var api = app.MapGroup("/api/v1/batch/jobs");
        api.MapPost("", (Func<HttpContext, Task<IResult>>)(context => SubmitAsync(manager, context)))
            .Produces<BatchJobResponse>(StatusCodes.Status202Accepted).Produces<ControlErrorResponse>(StatusCodes.Status400BadRequest)
            .WithSummary("Submit a batch job (the options of turbine batch run; paths inside the batch folder)");
        api.MapGet("", (Func<HttpContext, IResult>)(context => manager is null ? NotEnabled() : ControlHttp.Json(new BatchJobListResponse(manager.List(context.GetCaller())))))
            .Produces<BatchJobListResponse>().WithSummary("The batch jobs the caller may see, newest first");
        api.MapGet("/{id}", (string id, HttpContext context) => Get(manager, id, context, out var job) ?? ControlHttp.Json(job!.View))
            .Produces<BatchJobResponse>().Produces<ControlErrorResponse>(StatusCodes.Status404NotFound)
            .WithSummary("A batch job: state, rows done/total, rows/s, ETA, errors, and its summary once finished");
        api.MapDelete("/{id}", (string id, HttpContext context) => CancelAsync(manager, id, context))
            .Produces<BatchJobResponse>(StatusCodes.Status202Accepted).Produces(StatusCodes.Status204NoContent)
            .WithSummary("Cancel a job (it stops at the next part boundary; committed parts stay for resume) or forget a finished one");
    }

    private static IResult NotEnabled() => ControlHttp.Error(StatusCodes.Status404NotFound, "not_enabled",
        "batch jobs are not enabled on this control plane; start it with --batch-folder DIR");

    private static IResult? Get(BatchJobManager? manager, string id, HttpContext context, out BatchJobEntry? job)
    {
        job = null;
        if (manager is null)
        {
            return NotEnabled();
        }

        job = manager.Find(id);
        if (job is null || !BatchJobManager.MayTouch(context.GetCaller(), job))
        {
            // Not found and not yours answer alike: ids of other callers' jobs are not disclosed.
            return ControlHttp.Error(StatusCodes.Status404NotFound, "not_found", $"batch job '{(id.Length > 40 ? id[..40] : id)}' not found");
        }

        return null;
    }

    private static async Task<IResult> SubmitAsync(BatchJobManager? manager, HttpContext context)
    {
        if (manager is null)
        {
            return NotEnabled();
        }

        if (context.Request.ContentLength > MaxRequestBytes)
        {
            return ControlHttp.Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"a batch job body is at most {MaxRequestBytes} bytes");
        }

        BatchJobRequest? request;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (limited.Length + read > MaxRequestBytes)
                {
                    return ControlHttp.Error(StatusCodes.Status413PayloadTooLarge, "too_large", $"a batch job body is at most {MaxRequestBytes} bytes");
                }

                await limited.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
            }

            request = JsonSerializer.Deserialize<BatchJobRequest>(limited.GetBuffer().AsSpan(0, (int)limited.Length), ControlJson.Options);
        }
        catch (JsonException e)
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid", $"the body is not a batch job: {e.Message}");
        }

        if (request is null)
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid", "the body is not a batch job: expected a JSON object");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        var (job, error) = manager.Submit(request, context.GetCaller(), bearer);
        if (error is { } e2)
        {
            return e2.Status == StatusCodes.Status403Forbidden ? ControlHttp.Forbidden(e2.Message) : ControlHttp.Error(e2.Status, e2.Code, e2.Message);
        }

        context.Response.Headers.Location = "/api/v1/batch/jobs/" + job!.Id;
        return ControlHttp.Json(job.View, StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> CancelAsync(BatchJobManager? manager, string id, HttpContext context)
    {
        if (Get(manager, id, context, out var job) is { } refused)
        {
            return refused;
        }

        var after = await manager!.CancelAsync(job!, context.GetCaller()).ConfigureAwait(false);
        return after is null ? Results.NoContent() : ControlHttp.Json(after, StatusCodes.Status202Accepted);
    }
}
