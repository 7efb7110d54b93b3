using Turbine.Core.Repository;

namespace Turbine.Core.Sources;

/// <summary>
/// What the engine offers its <see cref="IModelSource"/>: the control operations a source uses to signal a change,
/// each answered with its outcome, so a source can keep its own retry and bookkeeping (a registry keeps serving what it
/// has when a new version does not load).
/// </summary>
public interface IModelSourceSink
{
    /// <summary>The limits the engine reads model files under (a source that writes model folders checks them too).</summary>
    ModelFileLimits FileLimits { get; }

    /// <summary>
    /// Loads or reloads the model from the source (<see cref="IModelSource.Locate"/>): new versions load and warm before
    /// requests move, a failed version keeps what served before. Null on success, else the error naming what failed.
    /// </summary>
    Task<InferenceError?> LoadAsync(string model, CancellationToken cancellationToken);

    /// <summary>Unloads every version of the model once its in-flight requests finish. Null on success.</summary>
    Task<InferenceError?> UnloadAsync(string model, CancellationToken cancellationToken);

    /// <summary>
    /// Re-reads the whole source (the poll of <c>--model-control-mode poll</c>): loads models that appeared, reloads
    /// those whose files changed, unloads those that are gone. Returns the models it acted on; a failure is logged.
    /// </summary>
    Task<IReadOnlyList<string>> SynchronizeAsync(CancellationToken cancellationToken);
}
