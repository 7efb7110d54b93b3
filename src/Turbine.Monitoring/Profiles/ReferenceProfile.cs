namespace Turbine.Monitoring.Profiles;

/// <summary>The reference profile of a model version: one <see cref="FeatureProfile"/> per column of the reference dataset.</summary>
public sealed record ReferenceProfile
{
    /// <summary>Version of this JSON shape.</summary>
    public int Format { get; init; } = 1;

    public string? Model { get; init; }

    public long? Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Where the reference came from (a file name, a feature-store export).</summary>
    public string? Source { get; init; }

    /// <summary>Rows of the reference dataset (decides the tests: ≤ 1000 → p-value tests, above → distances).</summary>
    public long Rows { get; init; }

    /// <summary><c>classification</c> or <c>regression</c> (the metrics computed from labels when the server monitors against this profile); null = classification.</summary>
    public string? Task { get; init; }

    public required IReadOnlyList<FeatureProfile> Features { get; init; }

    public FeatureProfile? Find(string name) => Features.FirstOrDefault(f => f.Name == name);
}
