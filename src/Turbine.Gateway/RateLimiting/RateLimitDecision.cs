namespace Turbine.Gateway.RateLimiting;

/// <summary>Refusal by a token bucket: the 429 message and the seconds to put in <c>Retry-After</c>.</summary>
internal sealed record RateLimitDecision(string Message, int RetryAfterSeconds);
