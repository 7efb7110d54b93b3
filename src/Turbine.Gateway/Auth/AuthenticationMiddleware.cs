using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Auth;

/// <summary>
/// Authenticates and authorises each request by its <see cref="GatewayRequestInfo"/>; sets the caller key and
/// roles, or answers 401/403 (gRPC: UNAUTHENTICATED/PERMISSION_DENIED) with the reason.
/// </summary>
internal sealed class AuthenticationMiddleware(RequestDelegate next, EdgeAuthenticator authenticator, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("Turbine.Gateway.Auth");

    public Task InvokeAsync(HttpContext context)
    {
        var info = EdgeRequestInfo.Get(context);
        var pending = authenticator.AuthenticateAsync(context, info);
        // API keys (and auth off) decide at once: then no async frame of our own for the request.
        return pending.IsCompletedSuccessfully ? ContinueAsync(context, info, pending.Result) : AwaitThenContinueAsync(context, info, pending);
    }

    private async Task AwaitThenContinueAsync(HttpContext context, GatewayRequestInfo info, ValueTask<AuthOutcome> pending) =>
        await ContinueAsync(context, info, await pending.ConfigureAwait(false)).ConfigureAwait(false);

    private Task ContinueAsync(HttpContext context, GatewayRequestInfo info, AuthOutcome outcome)
    {
        if (outcome.Grant is { } grant)
        {
            info.CallerKey = grant.CallerKey;
            info.CallerIdentity = grant.Identity;
            info.Roles = grant.Roles;
        }

        if (outcome.Allowed)
        {
            if (authenticator.VisibilityFor(outcome.Grant) is { } visibility)
            {
                context.Features.Set(visibility);
            }

            // Every later message of a client-streaming call is authorised on its own, with the same credential (a
            // unary call has one message: its guard refuses a second, so no check is made for it).
            if (context.Features.Get<GrpcMessageGuard>() is { Streaming: true } guard)
            {
                AddStreamCheck(guard, authenticator, outcome.Grant, info);
            }

            return next(context);
        }

        AuthLog.Refused(_logger, context.Request.Method, context.Request.Path.Value ?? "", outcome.Status, outcome.Error!);
        if (!EdgeErrors.IsGrpc(context.Request) && Challenge(outcome) is { } challenge)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        return EdgeErrors.WriteAsync(context, outcome.Status, outcome.Error!);
    }

    /// <summary>
    /// The check of every later message of a gRPC stream. A method of its own: a lambda capturing the request's
    /// values in <see cref="ContinueAsync"/> would make its closure on every request, stream or not.
    /// </summary>
    private static void AddStreamCheck(GrpcMessageGuard guard, EdgeAuthenticator authenticator, CallerGrant? caller, GatewayRequestInfo info) =>
        guard.AddCheck(model => authenticator.DenyModel(caller, info.Operation, model) is { } reason ? new StreamRefusal(StatusCodes.Status403Forbidden, reason) : null);

    /// <summary>RFC 6750 challenge: no error code for a missing credential, invalid_token or insufficient_scope otherwise.</summary>
    private static string? Challenge(AuthOutcome outcome)
    {
        // Header values must be printable ASCII: the message may quote a token's audience or a model name.
        var escaped = string.Create(outcome.Error!.Length, outcome.Error, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and <= '~' and not '"' and not '\\' ? text[i] : '?';
            }
        });
        return outcome.Status switch
        {
            401 when outcome.Error!.StartsWith("missing credential", StringComparison.Ordinal) => "Bearer realm=\"turbine\"",
            401 => $"Bearer realm=\"turbine\", error=\"invalid_token\", error_description=\"{escaped}\"",
            403 => $"Bearer realm=\"turbine\", error=\"insufficient_scope\", error_description=\"{escaped}\"",
            _ => null,
        };
    }
}
