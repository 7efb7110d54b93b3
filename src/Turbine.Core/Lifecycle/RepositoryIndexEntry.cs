namespace Turbine.Core.Lifecycle;

/// <summary>One row of the repository index: a model, or a model version with its state.</summary>
public sealed record RepositoryIndexEntry(string Name, long? Version, ModelReadyState? State, string Reason);
