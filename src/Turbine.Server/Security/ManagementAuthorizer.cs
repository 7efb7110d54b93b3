using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Security;

/// <summary>
/// Decides whether a management call may run (docs/configuration.md, "Management endpoints"). The REST middleware and
/// the gRPC interceptor both ask it, with the caller's <c>Authorization</c> header (gRPC: <c>authorization</c> metadata).
/// The token is compared as SHA-256 digests in constant time, so neither its value nor its length leaks through timing.
/// </summary>
internal sealed class ManagementAuthorizer
{
    private readonly byte[]? _tokenDigest;
    private readonly string? _disabledReason;
    private readonly ILogger _logger;

    public ManagementAuthorizer(ServerOptions options, IPAddress boundAddress, ILogger logger)
    {
        _logger = logger;
        var host = boundAddress.ToString();
        if (options.ManagementToken is { } token)
        {
            _tokenDigest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            ManagementAuthLog.TokenRequired(logger);
        }
        else if (options.ManagementAuth == ManagementAuthMode.None)
        {
            ManagementAuthLog.OpenWithoutAuth(logger, host);
        }
        else if (!IPAddress.IsLoopback(boundAddress))
        {
            _disabledReason =
                $"management operations (repository load/unload, /v2/logging) are disabled: the server is bound to {host}, not loopback, "
                + "and has no management token; start it with --management-token-file FILE (or TURBINE_MANAGEMENT_TOKEN) and send "
                + "'Authorization: Bearer <token>', or with --management-auth none to allow them without authentication";
            ManagementAuthLog.DisabledOffLoopback(logger, host);
        }
    }

    /// <summary>
    /// Null when the call may run; otherwise the refusal: 401 (<see cref="ManagementRefusal.Unauthenticated"/>) for a
    /// missing or wrong token, 403 when management is disabled.
    /// </summary>
    /// <param name="operation">What was called, for the log line (<c>POST /v2/logging</c>, <c>gRPC RepositoryModelLoad</c>).</param>
    /// <param name="authorization">The values of the caller's Authorization header (or metadata entries).</param>
    public ManagementRefusal? Check(string operation, IReadOnlyList<string> authorization)
    {
        var refusal = Decide(authorization);
        if (refusal is not null)
        {
            ManagementAuthLog.Refused(_logger, operation, refusal.Unauthenticated ? 401 : 403, refusal.Message);
        }

        return refusal;
    }

    private ManagementRefusal? Decide(IReadOnlyList<string> authorization)
    {
        if (_disabledReason is not null)
        {
            return new ManagementRefusal(false, _disabledReason);
        }

        if (_tokenDigest is null)
        {
            return null;
        }

        if (authorization.Count == 0)
        {
            return new ManagementRefusal(true, "management operation needs the management token: send 'Authorization: Bearer <token>'");
        }

        if (authorization.Count > 1)
        {
            return new ManagementRefusal(true, "more than one Authorization header; send exactly one 'Authorization: Bearer <token>'");
        }

        var value = authorization[0];
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new ManagementRefusal(true, "unsupported authorization scheme; management operations expect 'Authorization: Bearer <token>'");
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(scheme.Length).Trim().ToString()));
        return CryptographicOperations.FixedTimeEquals(presented, _tokenDigest)
            ? null
            : new ManagementRefusal(true, "the management token is not valid");
    }
}

/// <summary>Why a management call was refused: unauthenticated (401 / UNAUTHENTICATED) or forbidden (403 / PERMISSION_DENIED).</summary>
internal sealed record ManagementRefusal(bool Unauthenticated, string Message);
