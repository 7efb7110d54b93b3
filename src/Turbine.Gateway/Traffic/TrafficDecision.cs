namespace Turbine.Gateway.Traffic;

/// <summary>Where one request goes: the primary pool, the variant label (split/A-B/blue-green) and an optional shadow pool.</summary>
internal readonly record struct TrafficDecision(string Pool, string? Variant, string? ShadowPool);
