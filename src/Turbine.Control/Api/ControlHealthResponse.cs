namespace Turbine.Control.Api;

/// <summary><c>{"status": "ok"}</c> from <c>/healthz</c> and <c>/readyz</c> (or <c>"unavailable"</c> with 503).</summary>
/// <param name="Status">ok or unavailable.</param>
public sealed record ControlHealthResponse(string Status);
