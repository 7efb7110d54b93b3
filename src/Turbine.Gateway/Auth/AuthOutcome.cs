namespace Turbine.Gateway.Auth;

/// <summary>Result of authenticating and authorising one request: allowed with a grant, or refused with a status and reason.</summary>
internal readonly record struct AuthOutcome(CallerGrant? Grant, int Status, string? Error)
{
    public bool Allowed => Error is null;

    public static AuthOutcome Allow(CallerGrant? grant) => new(grant, 200, null);

    public static AuthOutcome Unauthenticated(string error) => new(null, 401, error);

    public static AuthOutcome Forbidden(CallerGrant grant, string error) => new(grant, 403, error);

    public static AuthOutcome Unavailable(string error) => new(null, 503, error);
}
