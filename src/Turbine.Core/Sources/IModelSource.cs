namespace Turbine.Core.Sources;

/// <summary>
/// Where the engine gets its models (the idea of Triton's repository agents and KServe ModelMesh's sources): the
/// models a source offers, where one model's files and configuration are for a load, and the changes it signals.
/// The folder repository (<see cref="FolderModelSource"/>) is one; serving from a model registry is another. The engine
/// reads every model through its one source, so a new source plugs in without any change to the front ends.
/// </summary>
/// <remarks>
/// The engine calls <see cref="StartAsync"/> once before its start-up loads, and <see cref="WatchAsync"/> once the host
/// serves; from then on the source tells the engine what changed through the <see cref="IModelSourceSink"/> it is given
/// (load or reload a model, unload one, or re-read everything). <see cref="ListModels"/>, <see cref="Contains"/> and
/// <see cref="Locate"/> are called on control paths (index, load, unload), never per request, and must not block long.
/// </remarks>
public interface IModelSource
{
    /// <summary>The names of the models the source offers now, sorted ordinally (the repository index lists them).</summary>
    IReadOnlyList<string> ListModels();

    /// <summary>True when the source offers the model (known to the repository API even while not loaded).</summary>
    bool Contains(string model);

    /// <summary>
    /// Where a load of the model reads from: a Triton-layout folder and, when the source decides the configuration,
    /// the configuration to load it with. An error (Triton's NOT_FOUND text naming the source) when the source does not
    /// offer the model.
    /// </summary>
    Result<ModelSourceLocation> Locate(string model);

    /// <summary>
    /// Prepares the source before the engine's start-up loads: checks it can be read (an exception naming the problem
    /// stops the start) and may load the models it brings at start through <paramref name="sink"/>.
    /// </summary>
    Task StartAsync(IModelSourceSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Follows the source's changes, reporting them to <paramref name="sink"/>, until <paramref name="cancellationToken"/>
    /// is cancelled (then it completes, or throws <see cref="OperationCanceledException"/>). A source that never changes
    /// returns a completed task.
    /// </summary>
    Task WatchAsync(IModelSourceSink sink, CancellationToken cancellationToken);
}
