using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;
using Turbine.Registry.Security;
using Turbine.Registry.Storage;

namespace Turbine.Registry.Api;

/// <summary>
/// Runs around every request: authenticates <c>/api/</c> calls (bearer token → <see cref="Caller"/>, or the dev caller
/// with <c>--dev</c>), and turns the exceptions of the artifact stores and Kestrel (and unexpected ones) into
/// <c>{"error","code"}</c> answers; the API's own expected failures arrive as <see cref="RegistryError"/> values.
/// </summary>
internal sealed class RegistryMiddleware(IRegistryStore store, bool dev, ILogger logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                var caller = dev ? Caller.Dev : await AuthenticateAsync(context).ConfigureAwait(false);
                if (!caller.IsOk)
                {
                    await ApiHttp.WriteErrorAsync(context, caller.Error).ConfigureAwait(false);
                    return;
                }

                context.SetCaller(caller.Value);
            }

            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (e.g. an interrupted upload): nothing to answer; the stores have cleaned up.
            RegistryLog.RequestAborted(logger, context.Request.Method, context.Request.Path, e.GetType().Name);
        }
        catch (Exception e) when (Map(e) is { } error)
        {
            if (context.Response.HasStarted)
            {
                RegistryLog.FailedAfterStart(logger, context.Request.Method, context.Request.Path, e);
                context.Abort();
                return;
            }

            await ApiHttp.WriteErrorAsync(context, error.Status, error.Code, error.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // Unexpected (a database down, a bug): logged with its stack, answered in the same JSON shape.
            RegistryLog.Failed(logger, context.Request.Method, context.Request.Path, e);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            await ApiHttp.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "internal",
                $"the registry failed to handle {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
        }
    }

    private static (int Status, string Code, string Message)? Map(Exception e) => e switch
    {
        ArtifactDigestMismatchException d => (StatusCodes.Status400BadRequest, "digest_mismatch", d.Message),
        ArtifactTooLargeException t => (StatusCodes.Status413PayloadTooLarge, "too_large", t.Message),
        ArtifactNotFoundException n => (StatusCodes.Status404NotFound, "not_found", n.Message),
        BadHttpRequestException b => (b.StatusCode, b.StatusCode == 413 ? "too_large" : "bad_request", b.Message),
        _ => null,
    };

    private async Task<RegistryResult<Caller>> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return RegistryError.Unauthenticated("no API token: send 'Authorization: Bearer <token>' (create one with 'turbine registry token create')");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return RegistryError.Unauthenticated("the Authorization header must be 'Bearer <token>'");
        }

        var secret = header["Bearer ".Length..].Trim();
        var token = await store.FindTokenAsync(TokenSecrets.Hash(secret), context.RequestAborted).ConfigureAwait(false);
        return token is null
            ? RegistryError.Unauthenticated("the API token is unknown or revoked")
            : new Caller(token.Name, token.Role, token.Models) { Uploader = "token:" + token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }
}
