using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Auth;

/// <summary>
/// Authenticates a request (API key, JWT bearer or anonymous) and authorises its model and operation against the
/// current <see cref="AuthSnapshot"/>, rebuilt when the config changes.
/// </summary>
internal sealed class EdgeAuthenticator
{
    private const string BearerPrefix = "Bearer ";

    private readonly JwksSourceCache _sources;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile AuthSnapshot _snapshot;

    public EdgeAuthenticator(IGatewayConfigSource config, JwksSourceCache sources, TimeProvider time, ILoggerFactory loggers)
    {
        _sources = sources;
        _time = time;
        _logger = loggers.CreateLogger("Turbine.Gateway.Auth");
        _snapshot = AuthSnapshot.Build(config.Current.Auth ?? new AuthConfig(), sources, time);
        config.Changed += OnChanged;
    }

    internal AuthSnapshot Snapshot => _snapshot;

    public ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context, GatewayRequestInfo info)
    {
        var snapshot = _snapshot;
        if (!snapshot.Enabled)
        {
            return ValueTask.FromResult(AuthOutcome.Allow(null));
        }

        if (snapshot.Config.AnonymousHealth && EdgeRequestInfo.IsHealthProbe(context.Request))
        {
            return ValueTask.FromResult(AuthOutcome.Allow(null));
        }

        var (credential, problem) = ReadCredential(context.Request);
        if (problem is not null)
        {
            return ValueTask.FromResult(AuthOutcome.Unauthenticated(problem));
        }

        if (credential is null)
        {
            if (snapshot.Anonymous is { } anonymous && anonymous.Deny(info.Operation, info.Model, snapshot.Config.AdminRole) is null)
            {
                return ValueTask.FromResult(AuthOutcome.Allow(null));
            }

            return ValueTask.FromResult(AuthOutcome.Unauthenticated(
                "missing credential: send 'Authorization: Bearer <API key or JWT>' or 'x-api-key: <API key>'"));
        }

        // The key is hashed from the header's characters: no string of it is made for an API key.
        var (source, start, length, isBearer) = credential.Value;
        if (MatchKey(snapshot, source.AsSpan(start, length)) is { } keyGrant)
        {
            return ValueTask.FromResult(Authorize(snapshot, keyGrant, info));
        }

        if (isBearer && source.Substring(start, length) is var token && JwtValidator.LooksLikeJwt(token))
        {
            return snapshot.Jwt is null
                ? ValueTask.FromResult(AuthOutcome.Unauthenticated("JWT bearer tokens are not accepted by this gateway (auth.jwt is not configured)"))
                : ValidateJwtAsync(snapshot, token, info, context.RequestAborted);
        }

        return ValueTask.FromResult(AuthOutcome.Unauthenticated("invalid API key"));
    }

    /// <summary>
    /// Why a caller already let in may not use <paramref name="model"/> (a later message of a gRPC stream); null when
    /// allowed. <paramref name="grant"/> is null for anonymous callers (and when auth is off).
    /// </summary>
    public string? DenyModel(CallerGrant? grant, GatewayOperation operation, string? model)
    {
        var snapshot = _snapshot;
        if (!snapshot.Enabled)
        {
            return null;
        }

        var effective = grant ?? snapshot.Anonymous;
        return effective is null
            ? "missing credential: send 'Authorization: Bearer <API key or JWT>' or 'x-api-key: <API key>'"
            : effective.Deny(operation, model, snapshot.Config.AdminRole);
    }

    /// <summary>Which models a caller let in may see listed; null when every model (auth off, admin, or a <c>*</c> grant).</summary>
    public ModelVisibility? VisibilityFor(CallerGrant? grant)
    {
        var snapshot = _snapshot;
        if (!snapshot.Enabled)
        {
            return null;
        }

        var effective = grant ?? snapshot.Anonymous;
        if (effective is null)
        {
            return new ModelVisibility(_ => false);
        }

        if (effective.IsAdmin || effective.Models.Contains("*"))
        {
            return null;
        }

        return Visibility(effective.Models);
    }

    /// <summary>A method of its own so the closure is made only for a caller limited to some models, not on every call.</summary>
    private static ModelVisibility Visibility(IReadOnlyList<string> models) => new(name => AccessRules.AnyMatch(models, name));

    private static async ValueTask<AuthOutcome> ValidateJwtAsync(AuthSnapshot snapshot, string token, GatewayRequestInfo info, CancellationToken cancellationToken)
    {
        var outcome = await snapshot.Jwt!.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        return outcome.Allowed ? Authorize(snapshot, outcome.Grant!, info) : outcome;
    }

    private static AuthOutcome Authorize(AuthSnapshot snapshot, CallerGrant grant, GatewayRequestInfo info) =>
        grant.Deny(info.Operation, info.Model, snapshot.Config.AdminRole) is { } reason
            ? AuthOutcome.Forbidden(grant, reason)
            : AuthOutcome.Allow(grant);

    /// <summary>
    /// A key that verified before in this snapshot is compared with the verified keys (constant time, every entry);
    /// any other key's digest is compared with every stored digest in constant time (no early exit), and remembered
    /// when it matches.
    /// </summary>
    internal static CallerGrant? MatchKey(AuthSnapshot snapshot, ReadOnlySpan<char> key)
    {
        if (snapshot.Keys.Length == 0)
        {
            return null;
        }

        if (snapshot.VerifiedKeys.Find(key) is { } known)
        {
            return known;
        }

        Span<byte> digest = stackalloc byte[32];
        ApiKeyHasher.DigestOfKey(key, digest);
        CallerGrant? match = null;
        foreach (var (stored, grant) in snapshot.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, digest))
            {
                match = grant;
            }
        }

        if (match is not null)
        {
            snapshot.VerifiedKeys.Add(key, match);
        }

        return match;
    }

    /// <summary>The credential as its place in the header's string (<c>Source[Start..Start+Length]</c>, trimmed), or the problem.</summary>
    private static ((string Source, int Start, int Length, bool IsBearer)? Credential, string? Problem) ReadCredential(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 1)
        {
            return (null, "more than one Authorization header");
        }

        if (authorization.Count == 1)
        {
            var value = authorization[0] ?? "";
            if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return (null, $"unsupported authorization scheme '{(space < 0 ? value : value[..space])}'; expected 'Bearer <API key or JWT>'");
            }

            var (start, length) = Trimmed(value, BearerPrefix.Length);
            return length == 0 ? (null, "empty bearer credential") : ((value, start, length, true), null);
        }

        var apiKey = request.Headers["x-api-key"];
        if (apiKey.Count > 1)
        {
            return (null, "more than one x-api-key header");
        }

        if (apiKey.Count == 1)
        {
            var key = apiKey[0] ?? "";
            var (start, length) = Trimmed(key, 0);
            return length == 0 ? (null, "empty x-api-key header") : ((key, start, length, false), null);
        }

        return (null, null);
    }

    /// <summary>Where <c>value[from..].Trim()</c> lies in <paramref name="value"/>.</summary>
    private static (int Start, int Length) Trimmed(string value, int from)
    {
        var span = value.AsSpan(from);
        var trimmed = span.TrimStart();
        var start = from + (span.Length - trimmed.Length);
        return (start, trimmed.TrimEnd().Length);
    }

    private void OnChanged(GatewayConfig config)
    {
        try
        {
            _snapshot = AuthSnapshot.Build(config.Auth ?? new AuthConfig(), _sources, _time);
        }
        catch (InvalidOperationException e)
        {
            AuthLog.ConfigNotApplied(_logger, e.Message);
        }
    }
}
