namespace Turbine.Core.Lifecycle;

/// <summary>One row of the repository index: a model, or a model version with its state.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version, or null for a model row.</param>
/// <param name="State">The version's state, or null for a model never loaded.</param>
/// <param name="Reason">Why it is in that state (empty when READY without remark).</param>
public sealed record RepositoryIndexEntry(string Name, long? Version, ModelReadyState? State, string Reason)
{
    /// <summary>For a serving version: the bytes it is charged in memory (<see cref="Memory.MemoryFootprint.AccountedBytes"/>); else null.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>For a serving version: why it is resident, <c>pinned</c>, <c>in use</c> (requests in flight) or <c>recently used</c>; else null.</summary>
    public string? Residency { get; init; }
}
