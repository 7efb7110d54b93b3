namespace Turbine.Gateway.Traffic;

/// <summary>
/// Where one request goes: the primary pool, the model version the policy chose (null = none: the request's own),
/// the variant label (split/A-B/blue-green) and an optional shadow pool.
/// </summary>
internal readonly record struct TrafficDecision(string Pool, string? Variant, string? ShadowPool, string? Version = null);
