using Turbine.Gateway.LoadBalancing;

namespace Turbine.Gateway.Proxy;

/// <summary>The outcome of one forwarding attempt.</summary>
/// <param name="Replica">The replica tried; null when none was available.</param>
/// <param name="Retryable">Safe to try again on another replica (connection refused or 503 held back, body replayable).</param>
/// <param name="Full">No replica was available because all were at their concurrency limit.</param>
/// <param name="Failure">Why it failed, for the client's error message; null on success.</param>
internal readonly record struct AttemptResult(Replica? Replica, bool Retryable, bool Full, string? Failure);
