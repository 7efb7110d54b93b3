namespace Turbine.Control.Api;

/// <summary>The outcome of checking a bearer token: a caller, or why not (401 unauthenticated, 503 when the registry cannot say).</summary>
internal sealed record AuthVerdict(ControlCaller? Caller, int Status, string? Message)
{
    public static AuthVerdict Ok(ControlCaller caller) => new(caller, 200, null);

    public static AuthVerdict Unauthenticated(string message) => new(null, 401, message);

    public static AuthVerdict Unavailable(string message) => new(null, 503, message);
}
