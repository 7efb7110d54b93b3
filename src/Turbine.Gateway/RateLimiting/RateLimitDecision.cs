namespace Turbine.Gateway.RateLimiting;

/// <summary>
/// Refusal by a token bucket: the 429 message, the seconds to put in <c>Retry-After</c>, and which bucket was empty
/// (<c>caller</c> or <c>model</c>, for metrics).
/// </summary>
internal sealed record RateLimitDecision(string Message, int RetryAfterSeconds, string Scope = "caller");
