namespace Turbine.Gateway.Traffic;

/// <summary>One request to mirror, with the primary's answer to compare against.</summary>
internal sealed record ShadowWork(
    string Model,
    string Pool,
    string Method,
    string PathAndQuery,
    string? ContentType,
    string? InferenceHeaderLength,
    byte[] Body,
    int PrimaryStatus,
    byte[]? PrimaryBody);
