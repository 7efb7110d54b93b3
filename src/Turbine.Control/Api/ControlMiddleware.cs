using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turbine.Control.Api;

/// <summary>
/// Runs around every request: authenticates <c>/api/</c> calls (bearer token → <see cref="ControlCaller"/>; 401 with
/// <c>WWW-Authenticate</c>, 403 for a read-only token on a write, 503 when the registry cannot say) and turns
/// Kestrel's and unexpected exceptions into the one JSON error shape.
/// </summary>
internal sealed class ControlMiddleware(ControlAuthenticator authenticator, ILogger logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                var verdict = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted).ConfigureAwait(false);
                if (verdict.Caller is not { } caller)
                {
                    if (verdict.Status == StatusCodes.Status401Unauthorized)
                    {
                        await ControlHttp.WriteUnauthenticatedAsync(context, verdict.Message!).ConfigureAwait(false);
                    }
                    else
                    {
                        await ControlHttp.WriteErrorAsync(context, verdict.Status, "unavailable", verdict.Message!).ConfigureAwait(false);
                    }

                    return;
                }

                var needed = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? ControlScope.Read : ControlScope.Write;
                if (caller.Scope < needed)
                {
                    await ControlHttp.Forbidden($"token '{caller.Name}' may only read; {context.Request.Method} needs a write token (registry role writer or admin)")
                        .ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }

                context.SetCaller(caller);
            }

            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested)
        {
            ControlLog.RequestAborted(logger, context.Request.Method, context.Request.Path, e.GetType().Name);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ControlHttp.WriteErrorAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too_large" : "bad_request", e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            ControlLog.Failed(logger, context.Request.Method, context.Request.Path, e);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            await ControlHttp.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "internal",
                $"the control service failed to handle {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
        }
    }
}
