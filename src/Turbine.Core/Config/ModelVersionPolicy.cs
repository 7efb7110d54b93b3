using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelVersionPolicy</c>: <c>latest { num_versions }</c>, <c>all {}</c> or <c>specific { versions }</c>.</summary>
public sealed record ModelVersionPolicy
{
    /// <summary>Triton's default when no policy is given: the latest 1 version.</summary>
    public static ModelVersionPolicy Default { get; } = new();

    public ModelVersionPolicyKind Kind { get; init; } = ModelVersionPolicyKind.Latest;

    /// <summary>For <see cref="ModelVersionPolicyKind.Latest"/>.</summary>
    public int NumVersions { get; init; } = 1;

    /// <summary>For <see cref="ModelVersionPolicyKind.Specific"/>.</summary>
    public ImmutableArray<long> Versions { get; init; } = [];

    public static ModelVersionPolicy Latest(int numVersions) => new() { Kind = ModelVersionPolicyKind.Latest, NumVersions = numVersions };

    public static ModelVersionPolicy All() => new() { Kind = ModelVersionPolicyKind.All, NumVersions = 0 };

    public static ModelVersionPolicy Specific(params long[] versions) =>
        new() { Kind = ModelVersionPolicyKind.Specific, NumVersions = 0, Versions = [.. versions] };
}
