namespace Turbine.Client;

/// <summary>One entry of <c>POST v2/repository/index</c>.</summary>
public sealed record RepositoryIndexItem(string Name, string? Version, string? State, string? Reason);
